/**
 * Docker's detach keys: `--detach-keys "ctrl-p,ctrl-q"`, a comma-separated
 * sequence of a letter or `ctrl-<x>` (x one of a-z @ [ \ ] ^ _). Typing the
 * sequence leaves the container running; any other input passes through,
 * including the bytes of a sequence that was started and broken off.
 */
import { invalidArgument } from '@ctrnet/core/api';

export const DEFAULT_DETACH_KEYS = 'ctrl-p,ctrl-q';

const CONTROL = '@abcdefghijklmnopqrstuvwxyz[\\]^_';

export function parseDetachKeys(value: string): Buffer {
  const bytes = value.split(',').map((key) => {
    const k = key.trim();
    if (/^ctrl-.$/i.test(k)) {
      const code = CONTROL.indexOf(k.slice(5).toLowerCase());
      if (code >= 0) return code;
    } else if (k.length === 1) {
      return k.charCodeAt(0);
    }
    throw invalidArgument(`invalid --detach-keys ${JSON.stringify(value)}: "${k}" is not a key; use letters or ctrl-<a-z, @, [, \\, ], ^, _>, comma-separated, e.g. ctrl-p,ctrl-q`);
  });
  if (bytes.length === 0) throw invalidArgument('invalid --detach-keys "": give at least one key, e.g. ctrl-p,ctrl-q');
  return Buffer.from(bytes);
}

/** Watches the input for the sequence: `feed` returns what to pass on, and whether the sequence was completed. */
export class DetachKeyMatcher {
  private matched = 0;

  constructor(private readonly keys: Buffer) {}

  feed(chunk: Buffer): { pass: Buffer; detach: boolean } {
    const out: number[] = [];
    for (const byte of chunk) {
      if (byte === this.keys[this.matched]) {
        this.matched++;
        if (this.matched === this.keys.length) return { pass: Buffer.from(out), detach: true };
        continue;
      }
      // A broken-off sequence: its bytes were keys the user meant as input after all.
      for (let i = 0; i < this.matched; i++) out.push(this.keys[i]!);
      this.matched = byte === this.keys[0] ? 1 : 0;
      if (this.matched === 0) out.push(byte);
    }
    return { pass: Buffer.from(out), detach: false };
  }
}
