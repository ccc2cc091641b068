#!/usr/bin/env node
// The ctrnet demo: a web container on the default bridge with -p 8080:80,
// reached at its own address and through the published port on 127.0.0.1,
// then the NAT rules ctrnet wrote; then the same through ctrnetd, the
// resident engine, started for the demo's state dir and stopped again.
// Everything it makes is removed at the end.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../packages/cli/bin/ctrnet.js', import.meta.url));
const stateDir = mkdtempSync(join(tmpdir(), 'ctrnet-demo-'));
const SERVER = "require('http').createServer((q, s) => s.end('hello from ' + require('os').hostname() + ', a ctrnet container\\n')).listen(80)";

function ctrnet(...args) {
  return execFileSync(process.execPath, [cli, '--state-dir', stateDir, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}

function banner(title, command) {
  console.log(`\n\x1b[1m== ${title}\x1b[0m${command ? `\n$ ${command}` : ''}`);
}

async function get(url) {
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      return `${res.status} ${(await res.text()).trim()}`;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return undefined;
}

// The bridge driver turns on IPv4 forwarding, as Docker does; the demo puts the host back as it found it.
const FORWARDING = '/proc/sys/net/ipv4/ip_forward';
const forwardingBefore = readFileSync(FORWARDING, 'utf8');

let ok = false;
try {
  banner('start a web server container with a published port', 'ctrnet run -d --name web -p 8080:80 -- node -e "<http server on :80>"');
  process.stdout.write(ctrnet('run', '-d', '--name', 'web', '-p', '8080:80', '--', process.execPath, '-e', SERVER));

  banner('containers', 'ctrnet ps');
  process.stdout.write(ctrnet('ps'));

  banner("the container's interfaces", 'ctrnet exec web -- ip addr');
  process.stdout.write(ctrnet('exec', 'web', '--', 'ip', 'addr'));

  const ip = JSON.parse(ctrnet('inspect', 'web'))[0].NetworkSettings.Networks.bridge.IPAddress;
  banner('request the container at its own address', `GET http://${ip}:80/`);
  const direct = await get(`http://${ip}:80/`);
  console.log(direct ?? 'no answer');

  banner('request the published port on the host', 'GET http://127.0.0.1:8080/');
  const published = await get('http://127.0.0.1:8080/');
  console.log(published ?? 'no answer');

  const backend = JSON.parse(ctrnet('system', 'info', '--format', 'json')).portBackend;
  banner(`the rules ctrnet wrote (${backend.name} backend: ${backend.reason})`, backend.name === 'nftables' ? 'nft list table inet ctrnet' : 'iptables -t nat -L -n');
  const rules = backend.name === 'nftables' ? ['nft', ['list', 'table', 'inet', 'ctrnet']] : ['iptables', ['-t', 'nat', '-L', '-n']];
  spawnSync(rules[0], rules[1], { stdio: 'inherit' });

  banner('start ctrnetd for this state dir: commands become thin clients', 'ctrnet daemon start');
  process.stdout.write(ctrnet('daemon', 'start'));
  const timed = (...args) => {
    const t0 = process.hrtime.bigint();
    const out = ctrnet(...args);
    return { out, ms: Number(process.hrtime.bigint() - t0) / 1e6 };
  };
  banner('a second web container, through the daemon', 'ctrnet run -d --name web2 -p 8081:80 -- node -e "<http server on :80>"');
  const viaDaemon = timed('run', '-d', '--name', 'web2', '-p', '8081:80', '--', process.execPath, '-e', SERVER);
  process.stdout.write(viaDaemon.out);
  const published2 = await get('http://127.0.0.1:8081/');
  console.log(`GET http://127.0.0.1:8081/ -> ${published2 ?? 'no answer'}`);
  banner('who answered', 'ctrnet system info');
  process.stdout.write(ctrnet('system', 'info').split('\n').filter((l) => /Version|Served by/.test(l)).join('\n') + '\n');
  const psDaemon = timed('ps');
  process.stdout.write(psDaemon.out);
  banner('stop ctrnetd (requests in flight finish first)', 'ctrnet daemon stop');
  process.stdout.write(ctrnet('daemon', 'stop'));
  const psLocal = timed('ps');
  console.log(`ctrnet ps: ${psDaemon.ms.toFixed(0)} ms through ctrnetd, ${psLocal.ms.toFixed(0)} ms in-process (both include starting node)`);

  ok = Boolean(direct && published && published2);
} catch (err) {
  console.error(`demo failed: ${err.message}`);
} finally {
  banner('clean up', 'ctrnet daemon stop; ctrnet rm -f web web2 && ctrnet system reset');
  spawnSync(process.execPath, [cli, '--state-dir', stateDir, 'daemon', 'stop'], { stdio: 'ignore' });
  spawnSync(process.execPath, [cli, '--state-dir', stateDir, 'rm', '-f', 'web', 'web2'], { stdio: 'inherit' });
  spawnSync(process.execPath, [cli, '--state-dir', stateDir, 'system', 'reset'], { stdio: 'inherit' });
  rmSync(stateDir, { recursive: true, force: true });
  writeFileSync(FORWARDING, forwardingBefore);
  console.log(ok ? '\ndemo: every request answered, in-process and through ctrnetd' : '\ndemo: FAILED (a request did not answer)');
  process.exitCode = ok ? 0 : 1;
}
