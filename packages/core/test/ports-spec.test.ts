import { expect } from 'chai';
import { CtrnetError, expandPublishRequest, parseExposeSpec, parsePublishSpec, type HostPortQuery, type PublishRequest } from '../src/index.js';

const PUBLISH_FORMAT = '[HOST_IP:][HOST_PORT[-END]:]CONTAINER_PORT[-END][/tcp|udp|sctp]';

const range = (start: number, end = start) => ({ start, end });

/**
 * Specs Docker accepts, with what they mean. Most come from the tests of
 * docker/go-connections `nat.ParsePortSpec`/`ParsePortSpecs`.
 */
const VALID: [spec: string, expected: PublishRequest][] = [
  ['80', { containerPorts: range(80), protocol: 'tcp' }],
  ['1234/tcp', { containerPorts: range(1234), protocol: 'tcp' }],
  ['2345/udp', { containerPorts: range(2345), protocol: 'udp' }],
  ['3456/sctp', { containerPorts: range(3456), protocol: 'sctp' }],
  ['1234:1234/tcp', { hostPorts: range(1234), containerPorts: range(1234), protocol: 'tcp' }],
  ['2345:2345/udp', { hostPorts: range(2345), containerPorts: range(2345), protocol: 'udp' }],
  ['8080:80', { hostPorts: range(8080), containerPorts: range(80), protocol: 'tcp' }],
  ['0.0.0.0:1234:1234/tcp', { hostIp: '0.0.0.0', hostPorts: range(1234), containerPorts: range(1234), protocol: 'tcp' }],
  ['1234-1236/tcp', { containerPorts: range(1234, 1236), protocol: 'tcp' }],
  ['1234-1236:1234-1236/tcp', { hostPorts: range(1234, 1236), containerPorts: range(1234, 1236), protocol: 'tcp' }],
  ['0.0.0.0:1234-1236:1234-1236/sctp', { hostIp: '0.0.0.0', hostPorts: range(1234, 1236), containerPorts: range(1234, 1236), protocol: 'sctp' }],
  ['0.0.0.0:1234-1235:3333-3334/tcp', { hostIp: '0.0.0.0', hostPorts: range(1234, 1235), containerPorts: range(3333, 3334), protocol: 'tcp' }],
  ['192.168.1.100::80', { hostIp: '192.168.1.100', containerPorts: range(80), protocol: 'tcp' }],
  ['192.168.1.100:8080:80', { hostIp: '192.168.1.100', hostPorts: range(8080), containerPorts: range(80), protocol: 'tcp' }],
  ['192.168.1.100::6000/udp', { hostIp: '192.168.1.100', containerPorts: range(6000), protocol: 'udp' }],
  ['192.168.1.100::6000/sctp', { hostIp: '192.168.1.100', containerPorts: range(6000), protocol: 'sctp' }],
  ['127.0.0.1::8000-8002', { hostIp: '127.0.0.1', containerPorts: range(8000, 8002), protocol: 'tcp' }],
  ['[2001:4860:0:2001::68]::333', { hostIp: '2001:4860:0:2001::68', containerPorts: range(333), protocol: 'tcp' }],
  ['[::1]:80:80', { hostIp: '::1', hostPorts: range(80), containerPorts: range(80), protocol: 'tcp' }],
  ['[::1]:8080:6000/udp', { hostIp: '::1', hostPorts: range(8080), containerPorts: range(6000), protocol: 'udp' }],
  ['[::1]::6000/udp', { hostIp: '::1', containerPorts: range(6000), protocol: 'udp' }],
  ['[::]:8000-8001:80-81', { hostIp: '::', hostPorts: range(8000, 8001), containerPorts: range(80, 81), protocol: 'tcp' }],
  // Docker's legacy unbracketed IPv6: all but the last two parts are the address.
  ['2001:4860:0:2001::68::333', { hostIp: '2001:4860:0:2001::68', containerPorts: range(333), protocol: 'tcp' }],
  ['::1:80:80', { hostIp: '::1', hostPorts: range(80), containerPorts: range(80), protocol: 'tcp' }],
  ['::::80', { hostIp: '::', containerPorts: range(80), protocol: 'tcp' }],
  ['::1:8080:6000/udp', { hostIp: '::1', hostPorts: range(8080), containerPorts: range(6000), protocol: 'udp' }],
  // Go's net.SplitHostPort also takes an IPv4 address in brackets.
  ['[127.0.0.1]:80:80', { hostIp: '127.0.0.1', hostPorts: range(80), containerPorts: range(80), protocol: 'tcp' }],
  // Empty host IP or host port parts are simply absent.
  [':8080:6000/tcp', { hostPorts: range(8080), containerPorts: range(6000), protocol: 'tcp' }],
  ['::6000', { containerPorts: range(6000), protocol: 'tcp' }],
  [':80', { containerPorts: range(80), protocol: 'tcp' }],
  // A host range with one container port: any free host port of the range.
  ['8000-8010:80', { hostPorts: range(8000, 8010), containerPorts: range(80), protocol: 'tcp' }],
  ['127.0.0.1:8000-8010:80/udp', { hostIp: '127.0.0.1', hostPorts: range(8000, 8010), containerPorts: range(80), protocol: 'udp' }],
  ['8080-8080:80', { hostPorts: range(8080), containerPorts: range(80), protocol: 'tcp' }],
  ['1234-1234', { containerPorts: range(1234), protocol: 'tcp' }],
  // Docker lower-cases the protocol, and an empty one means tcp.
  ['80/UDP', { containerPorts: range(80), protocol: 'udp' }],
  ['80/Sctp', { containerPorts: range(80), protocol: 'sctp' }],
  ['80/', { containerPorts: range(80), protocol: 'tcp' }],
  // Leading zeros are decimal, as with Go's ParseUint.
  ['0123', { containerPorts: range(123), protocol: 'tcp' }],
  ['1:1', { hostPorts: range(1), containerPorts: range(1), protocol: 'tcp' }],
  ['65535:65535', { hostPorts: range(65535), containerPorts: range(65535), protocol: 'tcp' }],
  ['1-65535', { containerPorts: range(1, 65535), protocol: 'tcp' }],
  // Host port 0 is Docker's "any free port", like an empty one.
  ['0:80', { containerPorts: range(80), protocol: 'tcp' }],
  ['127.0.0.1:0:80/udp', { hostIp: '127.0.0.1', containerPorts: range(80), protocol: 'udp' }],
  ['[::1]:0:80', { hostIp: '::1', containerPorts: range(80), protocol: 'tcp' }],
  ['0:8000-8001', { containerPorts: range(8000, 8001), protocol: 'tcp' }],
];

/** Specs that must be refused, with a fragment the reason must contain. */
const INVALID: [spec: string, why: string][] = [
  ['', 'no container port given'],
  ['/udp', 'no container port given'],
  ['8080:', 'no container port given'],
  ['127.0.0.1:8080:', 'no container port given'],
  ['192.168.1.100', 'container port "192.168.1.100" is not a number'],
  ['asdf', 'container port "asdf" is not a number'],
  ['1asdf', 'container port "1asdf" is not a number'],
  ['192.168.1.100:-1:-1', 'container port "-1" is not a number'],
  ['192.168.1.100:-1:80', 'host port "-1" is not a number'],
  ['-1', 'container port "-1" is not a number'],
  ['+80', 'container port "+80" is not a number'],
  [' 80', 'container port " 80" is not a number'],
  ['0x50', 'container port "0x50" is not a number'],
  ['localhost:1234:1234/tcp', 'host IP "localhost" is not an IPv4 or IPv6 address'],
  ['localhost:1234-1236:1234-1236/tcp', 'host IP "localhost" is not an IPv4 or IPv6 address'],
  ['256.1.1.1:80:80', 'host IP "256.1.1.1"'],
  ['01.2.3.4:80:80', 'host IP "01.2.3.4"'],
  ['1.2.3:80:80', 'host IP "1.2.3"'],
  ['1.2.3.4:80:80:80', 'host IP "1.2.3.4:80" is not an IPv4 or IPv6 address (too many ":"?'],
  ['[fe80::1%eth0]:80:80', 'host IP "fe80::1%eth0"'],
  ['[::1]:80', 'a bracketed host IP must be followed by :HOST_PORT:CONTAINER_PORT'],
  ['[::1]80:80', 'a bracketed host IP must be followed by'],
  ['[::1:80:80', 'has no closing "]"'],
  ['[]::80', 'the host IP in brackets is empty'],
  ['[::1]:::80', 'a bracketed host IP must be followed by'],
  ['127.0.0.1:80', '"127.0.0.1" is a host IP, not a host port; write 127.0.0.1::80'],
  ['80/foo', 'unknown protocol "foo"'],
  ['80/tcp/udp', 'unknown protocol "tcp/udp"'],
  ['80/icmp', 'unknown protocol "icmp"; use tcp, udp or sctp'],
  ['0', 'container port 0 is out of range 1-65535'],
  ['0-0', 'container port 0 is out of range'],
  ['65536', 'container port 65536 is out of range'],
  ['70000:80', 'host port 70000 is out of range'],
  ['0-1:80', 'host port 0 is out of range'],
  ['9000-8000', 'container port range "9000-8000" is descending; write it as 8000-9000'],
  ['9000-8000:80', 'host port range "9000-8000" is descending'],
  ['8000-', 'container port "8000-" is not a number'],
  ['-9000', 'container port "-9000" is not a number'],
  ['8000-9000a', 'container port "8000-9000a" is not a number'],
  ['-', 'container port "-" is not a number'],
  ['-8000-', 'is not a port or a range START-END'],
  // nat/parse_test.go TestParsePortRange's invalid ranges.
  ['8000-a', 'container port "8000-a" is not a number'],
  ['a-9000', 'container port "a-9000" is not a number'],
  ['8000a-9000', 'container port "8000a-9000" is not a number'],
  // go-connections reads a host port of "0-0" as a zero range; ctrnet takes only "0" as "any free port".
  ['0-0:80', 'host port 0 is out of range'],
  // Docker reads this as 80-90 and drops the rest; we refuse it.
  ['80-90-100', 'container port "80-90-100" is not a port or a range START-END'],
  ['8080:80-81', 'host range 8080 has 1 port(s) but container range 80-81 has 2'],
  ['8000-8001:80-82', 'host range 8000-8001 has 2 port(s) but container range 80-82 has 3'],
  ['8000-8002:80-81/udp', 'give ranges of equal length'],
];

function publishError(spec: string): CtrnetError {
  try {
    parsePublishSpec(spec);
  } catch (err) {
    expect(err).to.be.instanceOf(CtrnetError);
    return err as CtrnetError;
  }
  expect.fail(`parsePublishSpec(${JSON.stringify(spec)}) did not throw`);
}

describe('parsePublishSpec', () => {
  describe('accepts what Docker accepts', () => {
    for (const [spec, expected] of VALID) {
      it(JSON.stringify(spec), () => {
        expect(parsePublishSpec(spec)).to.deep.equal(expected);
      });
    }
  });

  describe('refuses malformed specs with one INVALID_ARGUMENT line', () => {
    for (const [spec, why] of INVALID) {
      it(`${JSON.stringify(spec)}: ${why}`, () => {
        const err = publishError(spec);
        expect(err.code).to.equal('INVALID_ARGUMENT');
        expect(err.message).to.match(/^invalid publish spec ".*": /);
        expect(err.message.startsWith(`invalid publish spec ${JSON.stringify(spec)}: `)).to.equal(true, err.message);
        expect(err.message).to.include(why);
        expect(err.message.endsWith(`; expected ${PUBLISH_FORMAT}`)).to.equal(true, err.message);
        expect(err.message).not.to.include('\n');
      });
    }
  });

  it('keeps the message on one line when the spec holds a newline', () => {
    const err = publishError('80\n81');
    expect(err.message).not.to.include('\n');
    expect(err.message).to.include('"80\\n81"');
  });

  it('has at least 40 cases from Docker behaviour', () => {
    expect(VALID.length + INVALID.length).to.be.at.least(40);
  });
});

/**
 * The long form `docker run -p` accepts, from docker/cli's
 * TestConvertToStandardNotation (cli/command/container/opts_test.go), plus
 * host_ip.
 */
describe('parsePublishSpec, long form', () => {
  const valid: [string, PublishRequest][] = [
    ['target=10,published=20', { hostPorts: range(20), containerPorts: range(10), protocol: 'tcp' }],
    ['target=2500,published=1500', { hostPorts: range(1500), containerPorts: range(2500), protocol: 'tcp' }],
    ['published=1500,target=200', { hostPorts: range(1500), containerPorts: range(200), protocol: 'tcp' }],
    ['target=80,published=90', { hostPorts: range(90), containerPorts: range(80), protocol: 'tcp' }],
    ['target=80', { containerPorts: range(80), protocol: 'tcp' }],
    ['target=80,published=0', { containerPorts: range(80), protocol: 'tcp' }],
    ['target=53,published=5353,protocol=udp', { hostPorts: range(5353), containerPorts: range(53), protocol: 'udp' }],
    ['target=80,published=8080,protocol=udp,host_ip=127.0.0.1', { hostIp: '127.0.0.1', hostPorts: range(8080), containerPorts: range(80), protocol: 'udp' }],
    ['target=80,host_ip=127.0.0.1', { hostIp: '127.0.0.1', containerPorts: range(80), protocol: 'tcp' }],
    ['target=80,published=8080,host_ip=::1', { hostIp: '::1', hostPorts: range(8080), containerPorts: range(80), protocol: 'tcp' }],
    ['target=80,published=8080,host_ip=[::1]', { hostIp: '::1', hostPorts: range(8080), containerPorts: range(80), protocol: 'tcp' }],
    ['target=80-81,published=8080-8081', { hostPorts: range(8080, 8081), containerPorts: range(80, 81), protocol: 'tcp' }],
  ];
  for (const [spec, expected] of valid) {
    it(`accepts ${JSON.stringify(spec)}`, () => expect(parsePublishSpec(spec)).to.deep.equal(expected));
  }
  const invalid: [string, string][] = [
    // docker/cli's invalid cases.
    ['published=1500,target:444', 'field "target:444" is not KEY=VALUE'],
    ['published=1500,444', 'field "444" is not KEY=VALUE'],
    ['published=1500,target,444', 'field "target" is not KEY=VALUE'],
    // Where ctrnet is stricter than docker/cli (which ignores unknown keys and takes the last of a repeated one).
    ['published=8080', 'the field "target" (the container port) is required'],
    ['target=80,mode=host', 'unknown field "mode"'],
    ['target=80,target=81', 'field "target" is given twice'],
    ['=80', 'field "=80" is not KEY=VALUE'],
    ['target=80,protocol=icmp', 'unknown protocol "icmp"'],
    ['target=abc', 'container port "abc" is not a number'],
    ['target=80,published=99999', 'host port 99999 is out of range'],
    ['target=80,host_ip=localhost', 'host IP "localhost"'],
  ];
  for (const [spec, why] of invalid) {
    it(`refuses ${JSON.stringify(spec)}: ${why}`, () => {
      const err = publishError(spec);
      expect(err.code).to.equal('INVALID_ARGUMENT');
      expect(err.message.startsWith(`invalid publish spec ${JSON.stringify(spec)}: `)).to.equal(true, err.message);
      expect(err.message).to.include(why);
      expect(err.message).not.to.include('\n');
    });
  }
});

describe('parseExposeSpec', () => {
  const cases: [string, { port: number; protocol: string }[]][] = [
    ['80', [{ port: 80, protocol: 'tcp' }]],
    ['80/udp', [{ port: 80, protocol: 'udp' }]],
    ['80/UDP', [{ port: 80, protocol: 'udp' }]],
    ['80/', [{ port: 80, protocol: 'tcp' }]],
    ['5000-5000/sctp', [{ port: 5000, protocol: 'sctp' }]],
    [
      '8000-8002/udp',
      [
        { port: 8000, protocol: 'udp' },
        { port: 8001, protocol: 'udp' },
        { port: 8002, protocol: 'udp' },
      ],
    ],
  ];
  for (const [spec, expected] of cases) {
    it(`accepts ${JSON.stringify(spec)}`, () => {
      expect(parseExposeSpec(spec)).to.deep.equal(expected);
    });
  }

  const bad: [string, string][] = [
    ['8080:80', 'takes no host part'],
    ['127.0.0.1::80', 'takes no host part'],
    ['', 'no port given'],
    ['/tcp', 'no port given'],
    ['0', 'port 0 is out of range'],
    ['65536', 'port 65536 is out of range'],
    ['90-80', 'port range "90-80" is descending'],
    ['80/icmp', 'unknown protocol "icmp"'],
    ['eighty', 'port "eighty" is not a number'],
  ];
  for (const [spec, why] of bad) {
    it(`refuses ${JSON.stringify(spec)}`, () => {
      let caught: unknown;
      try {
        parseExposeSpec(spec);
      } catch (err) {
        caught = err;
      }
      expect(caught).to.be.instanceOf(CtrnetError);
      const err = caught as CtrnetError;
      expect(err.code).to.equal('INVALID_ARGUMENT');
      expect(err.message).to.equal(`invalid expose spec ${JSON.stringify(spec)}: ${err.message.split(': ').slice(1).join(': ')}`);
      expect(err.message).to.include(why);
      expect(err.message.endsWith('; expected PORT[-END][/tcp|udp|sctp]')).to.equal(true, err.message);
    });
  }
});

describe('expandPublishRequest', () => {
  /** A chooser that hands out the lowest free port of the range, skipping `used`, and records its queries. */
  function lowestFree(used: number[] = [], ephemeral: [number, number] = [32768, 60999]) {
    const queries: HostPortQuery[] = [];
    const choose = (q: HostPortQuery) => {
      queries.push({ ...q, taken: new Set(q.taken) });
      const [low, high] = q.range ? [q.range.start, q.range.end] : ephemeral;
      for (let p = low; p <= high; p++) if (!used.includes(p) && !q.taken.has(p)) return p;
      return undefined;
    };
    return { choose, queries };
  }
  const never = () => expect.fail('chooser must not be asked for fixed host ports');

  it('pairs a fixed host port without asking the chooser', async () => {
    expect(await expandPublishRequest(parsePublishSpec('8080:80'), never)).to.deep.equal([{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }]);
  });

  it('pairs equal-length ranges in order and keeps the host IP', async () => {
    expect(await expandPublishRequest(parsePublishSpec('127.0.0.1:8000-8002:9000-9002/udp'), never)).to.deep.equal([
      { hostIp: '127.0.0.1', hostPort: 8000, containerPort: 9000, protocol: 'udp' },
      { hostIp: '127.0.0.1', hostPort: 8001, containerPort: 9001, protocol: 'udp' },
      { hostIp: '127.0.0.1', hostPort: 8002, containerPort: 9002, protocol: 'udp' },
    ]);
  });

  it('asks for an ephemeral port (no range) per container port, telling it what this request already took', async () => {
    const { choose, queries } = lowestFree([32768]);
    expect(await expandPublishRequest(parsePublishSpec('80-81'), choose)).to.deep.equal([
      { hostPort: 32769, containerPort: 80, protocol: 'tcp' },
      { hostPort: 32770, containerPort: 81, protocol: 'tcp' },
    ]);
    expect(queries).to.deep.equal([
      { protocol: 'tcp', hostIp: undefined, range: undefined, containerPort: 80, taken: new Set() },
      { protocol: 'tcp', hostIp: undefined, range: undefined, containerPort: 81, taken: new Set([32769]) },
    ]);
  });

  it('passes the host IP of HOST_IP::PORT to the chooser', async () => {
    const { choose, queries } = lowestFree();
    expect(await expandPublishRequest(parsePublishSpec('[::1]::53/udp'), choose)).to.deep.equal([{ hostIp: '::1', hostPort: 32768, containerPort: 53, protocol: 'udp' }]);
    expect(queries[0]).to.include({ hostIp: '::1', protocol: 'udp', containerPort: 53 });
  });

  it('asks for any port of a host range given with one container port', async () => {
    const { choose, queries } = lowestFree([8000, 8001]);
    expect(await expandPublishRequest(parsePublishSpec('8000-8010:80'), choose)).to.deep.equal([{ hostPort: 8002, containerPort: 80, protocol: 'tcp' }]);
    expect(queries[0]!.range).to.deep.equal({ start: 8000, end: 8010 });
  });

  it('awaits an async chooser', async () => {
    const pairs = await expandPublishRequest(parsePublishSpec('80/sctp'), async () => 40000);
    expect(pairs).to.deep.equal([{ hostPort: 40000, containerPort: 80, protocol: 'sctp' }]);
  });

  it('fails with EXHAUSTED when the host range has no free port', async () => {
    const { choose } = lowestFree([8000, 8001]);
    const err = await rejection(expandPublishRequest(parsePublishSpec('127.0.0.1:8000-8001:80'), choose));
    expect(err.code).to.equal('EXHAUSTED');
    expect(err.message).to.include('no free host port in 8000-8001/tcp on 127.0.0.1 for container port 80');
  });

  it('fails with EXHAUSTED when no ephemeral port is free, naming the config key', async () => {
    const { choose } = lowestFree([], [40000, 40000]);
    const err = await rejection(expandPublishRequest(parsePublishSpec('80-81'), choose));
    expect(err.code).to.equal('EXHAUSTED');
    expect(err.message).to.match(/no free ephemeral host port for container port 81\/tcp.*"ephemeralPortRange"/);
  });

  it('refuses a chooser answer outside the range or already given (INTERNAL)', async () => {
    for (const [spec, answer] of [['8000-8010:80', 9000], ['80-81', 40000], ['80', 0], ['80', 1.5]] as const) {
      const err = await rejection(expandPublishRequest(parsePublishSpec(spec), () => answer));
      expect(err.code).to.equal('INTERNAL');
      expect(err.message).to.include(`host port chooser answered ${answer}`);
    }
  });
});

async function rejection(promise: Promise<unknown>): Promise<CtrnetError> {
  try {
    await promise;
  } catch (err) {
    expect(err).to.be.instanceOf(CtrnetError);
    return err as CtrnetError;
  }
  expect.fail('expected a rejection');
}
