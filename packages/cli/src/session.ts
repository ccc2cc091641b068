import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { CtrnetError, Runtime } from '@ctrnet/core';
import { BUILTIN_MODULES } from './builtins.js';

export interface GlobalOptions {
  config?: string;
  stateDir?: string;
  debug?: boolean;
}

/** The status a command wants the process to exit with (foreground run). */
export interface CommandResult {
  status: number;
}

const CLI_SCRIPT = fileURLToPath(new URL('../../bin/ctrnet.js', import.meta.url));

/**
 * Open the runtime for one command, run `work`, close it. Every command that
 * touches state goes through here, so the privilege check comes first.
 */
export async function withRuntime<T>(command: Command, work: (rt: Runtime) => Promise<T>): Promise<T> {
  requirePrivileges();
  const globals = command.optsWithGlobals<GlobalOptions>();
  const rt = await Runtime.open({
    configPath: globals.config,
    stateDir: globals.stateDir,
    reaper: { node: process.execPath, cli: CLI_SCRIPT },
    preloaded: BUILTIN_MODULES,
    version: '0.1.0',
  });
  try {
    return await work(rt);
  } finally {
    rt.close();
  }
}

/** CAP_NET_ADMIN is bit 12 of the effective capability set. */
const CAP_NET_ADMIN = 12n;

function requirePrivileges(): void {
  if (process.getuid?.() === 0) return;
  const status = readFileSync('/proc/self/status', 'utf8');
  const capEff = /^CapEff:\s*([0-9a-f]+)/m.exec(status)?.[1];
  if (capEff && (BigInt(`0x${capEff}`) >> CAP_NET_ADMIN) & 1n) return;
  throw new CtrnetError('PERMISSION_DENIED', 'ctrnet must run as root (or with CAP_NET_ADMIN); retry with sudo');
}

/** Repeatable option collector for commander. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
