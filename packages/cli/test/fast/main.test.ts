import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { fastMain } from '../../src/fast/main.js';

/** fastMain's answer with stdout and stderr captured: the fast path must say nothing when it hands a line on. */
async function run(argv: string[], env: Record<string, string | undefined>): Promise<{ status: number | undefined; out: string }> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  const writes = { stdout: process.stdout.write, stderr: process.stderr.write };
  let out = '';
  const capture = ((chunk: string | Uint8Array) => ((out += String(chunk)), true)) as typeof process.stdout.write;
  setEnv(env);
  process.stdout.write = capture;
  process.stderr.write = capture;
  try {
    return { status: await fastMain(argv), out };
  } finally {
    Object.assign(process.stdout, { write: writes.stdout });
    Object.assign(process.stderr, { write: writes.stderr });
    setEnv(saved);
  }
}

function setEnv(values: Record<string, string | undefined>): void {
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
}

describe('fast path: when it hands the line to the full program', () => {
  let stateDir: string;
  beforeEach(() => (stateDir = mkdtempSync(join(tmpdir(), 'ctrnet-fast-'))));
  afterEach(() => rmSync(stateDir, { recursive: true, force: true }));

  it('hands on, silently, when no daemon listens on the state dir (auto: the full program runs it in-process)', async () => {
    expect(await run(['--state-dir', stateDir, 'ps'], { CTRNET_DAEMON: 'auto', DEBUG: undefined })).to.deep.equal({ status: undefined, out: '' });
  });

  it('hands on, silently, in required mode too: the full program words the error', async () => {
    expect(await run(['--state-dir', stateDir, 'rm', '-f', 'web'], { CTRNET_DAEMON: 'required', DEBUG: undefined })).to.deep.equal({ status: undefined, out: '' });
  });

  it('hands on with daemon: never, with $DEBUG set, and for a line it does not read', async () => {
    expect((await run(['--state-dir', stateDir, 'ps'], { CTRNET_DAEMON: 'never', DEBUG: undefined })).status).to.equal(undefined);
    expect((await run(['--state-dir', stateDir, 'ps'], { CTRNET_DAEMON: 'auto', DEBUG: 'ctrnet:*' })).status).to.equal(undefined);
    expect((await run(['--state-dir', stateDir, 'network', 'ls'], { CTRNET_DAEMON: 'auto', DEBUG: undefined })).status).to.equal(undefined);
  });
});
