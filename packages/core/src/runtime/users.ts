/**
 * `--user NAME|UID[:GROUP|GID]` resolved against the host's passwd and
 * group files (the container runs on the host's filesystem), to the
 * numeric `uid:gid` the command runs as.
 */
import { readFileSync } from 'node:fs';
import { invalidArgument } from '../errors.js';
import { quote } from './validate.js';

function table(path: string): string[][] {
  try {
    return readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => l.split(':'));
  } catch {
    return [];
  }
}

export function resolveUser(value: string): string {
  const [user, group] = value.split(':', 2) as [string, string | undefined];
  const passwd = table('/etc/passwd');
  const entry = /^\d+$/.test(user) ? passwd.find((e) => e[2] === user) : passwd.find((e) => e[0] === user);
  if (!entry && !/^\d+$/.test(user)) throw invalidArgument(`invalid --user ${quote(value)}: no user ${quote(user)} in /etc/passwd; give a user name or a numeric uid`);
  const uid = entry?.[2] ?? user;
  let gid = entry?.[3] ?? uid;
  if (group !== undefined) {
    const g = /^\d+$/.test(group) ? [group, '', group] : table('/etc/group').find((e) => e[0] === group);
    if (!g) throw invalidArgument(`invalid --user ${quote(value)}: no group ${quote(group)} in /etc/group; give a group name or a numeric gid`);
    gid = g[2]!;
  }
  return `${uid}:${gid}`;
}
