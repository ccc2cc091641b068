import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The package's executable, as a CNI runtime runs it (through the launcher `install` writes, or directly). */
export const PLUGIN = fileURLToPath(new URL('../../bin/ctrnet-cni.js', import.meta.url));

export interface CniOutcome {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** stdout parsed, when it is JSON. */
  json?: Record<string, unknown>;
}

/** Run the plugin in the network namespace `netns` (the runtime's, i.e. the test host) with exactly `env` (plus PATH) and `stdin`. */
export function cniCall(netns: string, env: Record<string, string | undefined>, stdin: string, argv: readonly string[] = [process.execPath, PLUGIN]): Promise<CniOutcome> {
  const clean = Object.fromEntries(Object.entries({ PATH: process.env.PATH, ...env }).filter(([, v]) => v !== undefined)) as Record<string, string>;
  return new Promise((resolve, reject) => {
    const child = spawn('nsenter', [`--net=${netns}`, '--', ...argv], { env: clean, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      let json: Record<string, unknown> | undefined;
      try {
        json = stdout.trim() ? (JSON.parse(stdout) as Record<string, unknown>) : undefined;
      } catch {
        json = undefined;
      }
      resolve({ exitCode: code ?? 1, stdout, stderr, json });
    });
    child.stdin.end(stdin);
  });
}
