/**
 * A real terminal for e2e tests: a tmux server of the test's own (its own
 * socket, killed at cleanup), one window running a shell inside the test's
 * host namespace, keys sent with `send-keys`, the screen read back with
 * `capture-pane`.
 */
import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NetnsHandle, TestNamespaces } from '@ctrnet/testkit';

export interface Terminal {
  /** Type `text` and press Enter. */
  type(text: string): void;
  /** Send tmux key names (`C-p`, `C-q`, `Enter`). */
  keys(...names: string[]): void;
  /** The visible screen, blank lines dropped. */
  screen(): string;
  /** Wait until the screen matches `pattern` (or fail after `timeoutMs`, showing the screen). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Clear the screen (so later matches only see new output). */
  clear(): Promise<void>;
}

export async function openTerminal(tn: TestNamespaces, host: NetnsHandle, env: Record<string, string>): Promise<Terminal> {
  const server = `ctt-${process.pid}-${Math.random().toString(16).slice(2, 8)}`;
  const tmux = (...args: string[]) => execFileSync('tmux', ['-L', server, ...args], { encoding: 'utf8' });
  const exports = Object.entries(env).map(([k, v]) => `export ${k}='${v}';`).join(' ');
  tmux('new-session', '-d', '-x', '160', '-y', '40', 'nsenter', `--net=${host.path}`, 'bash', '--norc', '--noprofile');
  tn.defer(() => {
    try {
      tmux('kill-server');
    } catch {
      // already gone
    }
  });
  const term: Terminal = {
    type(text) {
      tmux('send-keys', '-t', '0', '-l', text);
      tmux('send-keys', '-t', '0', 'Enter');
    },
    keys: (...names) => void tmux('send-keys', '-t', '0', ...names),
    screen: () =>
      tmux('capture-pane', '-t', '0', '-p')
        .split('\n')
        .filter((l) => l.trim())
        .join('\n'),
    async waitFor(pattern, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const now = term.screen();
        if (pattern.test(now)) return now;
        if (Date.now() > deadline) throw new Error(`the terminal never showed ${pattern}; it shows:\n${now}`);
        await sleep(50);
      }
    },
    async clear() {
      tmux('send-keys', '-t', '0', 'clear', 'Enter');
      tmux('clear-history', '-t', '0');
      await sleep(200);
    },
  };
  term.type(`PS1='host$ '; ${exports}`);
  await term.waitFor(/^host\$\s*$/m);
  return term;
}
