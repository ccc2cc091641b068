import { createHash, randomBytes } from 'node:crypto';

/** A new 64-hex-char id, like Docker's. */
export function newId(): string {
  return randomBytes(32).toString('hex');
}

/** A stable id derived from a seed (the built-in networks get the same id every time in one state dir). */
export function stableId(seed: string): string {
  return createHash('sha256').update(seed).digest('hex');
}

const ADJECTIVES = ['brave', 'calm', 'eager', 'fancy', 'gentle', 'happy', 'jolly', 'keen', 'lucid', 'merry', 'nifty', 'proud', 'quiet', 'swift', 'vivid', 'witty'];
const NOUNS = ['turing', 'hopper', 'lovelace', 'ritchie', 'thompson', 'torvalds', 'knuth', 'dijkstra', 'lamport', 'liskov', 'kay', 'cerf', 'kahn', 'postel', 'perlman', 'metcalfe'];

/** Docker-style generated container name (`brave_turing`); the caller retries on collision. */
export function generateName(attempt: number): string {
  const r = randomBytes(2);
  const name = `${ADJECTIVES[r[0]! % ADJECTIVES.length]}_${NOUNS[r[1]! % NOUNS.length]}`;
  return attempt === 0 ? name : `${name}${attempt}`;
}
