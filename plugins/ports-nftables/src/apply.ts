/**
 * Applies nft scripts through the executor, one transaction per call, and
 * handles the two ways a transaction can meet unexpected kernel state:
 * an object that is missing (the table was never made, or was flushed) and
 * an element that exists with different data (a port left mapped to another
 * container by a crash). Both are rare, so the fast path never reads the
 * kernel; the slow path lists the table once and applies a corrected
 * transaction.
 */
import createDebug from 'debug';
import { CtrnetError, ExecError, type PluginContext } from '@ctrnet/core';
import { TABLE_NAME } from './names.js';
import { elementKey, type Elements } from './elements.js';
import { parseTableJson } from './kernel-state.js';
import { SET_ROLES, TABLE_FAMILY } from './layout.js';
import { addElements, deleteElements, removeElements, render, TABLE, type NftScript } from './ruleset.js';

const debug = createDebug('ctrnet:ports-nftables:apply');

/** Advice for every state problem: the store knows the truth, reload re-applies it. */
const RELOAD_HINT = 'run `ctrnet system reload` to rebuild it from ctrnet\'s state';

/** Applies `script` as one transaction; a failure names what was being done and the offending part of the script. */
export async function apply(ctx: PluginContext, script: NftScript, doing: string): Promise<void> {
  if (script.length === 0) return;
  debug('%s: %d lines', doing, script.length);
  try {
    await ctx.exec.nft(render(script));
  } catch (err) {
    throw explain(err, script, doing);
  }
}

/** Like {@link apply}, for teardown: without nft there is nothing of ctrnet's to remove, which counts as done. */
export async function applyTeardown(ctx: PluginContext, script: NftScript, doing: string): Promise<void> {
  try {
    await ctx.exec.nft(render(script));
  } catch (err) {
    if (failure(err) !== 'no-nft') throw explain(err, script, doing);
  }
}

/**
 * Adds elements (publish, link). An element whose key the kernel already
 * maps to something else is stale: the state store, which reserves host
 * ports, has given that key to this caller, so the stale mapping is
 * replaced in the same transaction.
 */
export async function addOwnedElements(ctx: PluginContext, elements: Elements, doing: string): Promise<void> {
  const script = addElements(elements);
  try {
    await ctx.exec.nft(render(script));
    return;
  } catch (err) {
    const kind = failure(err);
    if (kind === 'other' || kind === 'no-nft') throw explain(err, script, doing);
    debug('%s: fast path failed (%s); reading the table', doing, kind);
  }
  const kernel = await readElements(ctx);
  if (kernel === undefined) {
    throw new CtrnetError('INVALID_STATE', `cannot ${doing}: nftables table ${TABLE} does not exist (never set up, or flushed by another tool); ${RELOAD_HINT}`);
  }
  const stale = conflicting(elements, kernel);
  if (Object.keys(stale).length > 0) ctx.log('%s: replacing stale mappings %o', doing, stale);
  await apply(ctx, [...deleteElements(stale), ...script], doing);
}

/**
 * Removes exactly these elements (unpublish, unlink, network removal).
 * Idempotent: a missing element, set or table counts as removed. An element
 * whose key now maps to something else belongs to someone else and is kept.
 */
export async function removeOwnedElements(ctx: PluginContext, elements: Elements, doing: string): Promise<void> {
  const script = removeElements(elements);
  try {
    await ctx.exec.nft(render(script));
    return;
  } catch (err) {
    const kind = failure(err);
    // Without nft nothing of ours can exist: core tears down through every loaded backend.
    if (kind === 'no-nft') return;
    if (kind === 'other') throw explain(err, script, doing);
    debug('%s: fast path failed (%s); reading the table', doing, kind);
  }
  const kernel = await readElements(ctx);
  if (kernel === undefined) return;
  const present = intersect(elements, kernel);
  const kept = conflicting(elements, kernel);
  if (Object.keys(kept).length > 0) ctx.log('%s: keeping elements that now belong to someone else: %o', doing, kept);
  await apply(ctx, deleteElements(present), doing);
}

/** The elements of ctrnet's sets as the kernel holds them, or undefined when there is no table. */
export async function readElements(ctx: PluginContext): Promise<Elements | undefined> {
  const listing = await listTable(ctx, ['-j']);
  return listing === undefined ? undefined : parseTableJson(listing);
}

/** `nft [flags] list table inet ctrnet`, or undefined when the table (or nft itself) does not exist. */
export async function listTable(ctx: PluginContext, flags: readonly string[] = []): Promise<string | undefined> {
  try {
    return (await ctx.exec.run(['nft', ...flags, 'list', 'table', TABLE_FAMILY, TABLE_NAME])).stdout;
  } catch (err) {
    const kind = failure(err);
    if (kind === 'missing' || kind === 'no-nft') return undefined;
    throw err;
  }
}

/** How an nft run failed: no nft program, an object was missing, an element existed, or something else. */
function failure(err: unknown): 'no-nft' | 'missing' | 'exists' | 'other' {
  if (!(err instanceof ExecError)) return 'other';
  return err.kind === 'no-program' ? 'no-nft' : err.kind;
}

/** Kernel elements that share a key with one of `ours` but differ from it. */
function conflicting(ours: Elements, kernel: Elements): Elements {
  const out: Record<string, string[]> = {};
  for (const role of SET_ROLES) {
    const mine = new Set(ours[role] ?? []);
    const keys = new Set([...mine].map(elementKey));
    const held = (kernel[role] ?? []).filter((e) => keys.has(elementKey(e)) && !mine.has(e));
    if (held.length > 0) out[role] = held;
  }
  return out as Elements;
}

/** Those of `ours` the kernel holds exactly. */
function intersect(ours: Elements, kernel: Elements): Elements {
  const out: Record<string, string[]> = {};
  for (const role of SET_ROLES) {
    const held = new Set(kernel[role] ?? []);
    const both = (ours[role] ?? []).filter((e) => held.has(e));
    if (both.length > 0) out[role] = both;
  }
  return out as Elements;
}

/**
 * Turns an nft failure into an error naming the operation and the part of
 * the script nft pointed at (`/dev/stdin:LINE:FROM-TO: Error: ...`).
 */
function explain(err: unknown, script: NftScript, doing: string): unknown {
  if (!(err instanceof ExecError)) return err;
  if (failure(err) === 'no-nft') {
    return new CtrnetError('EXEC_FAILED', `cannot ${doing}: nft is not installed; install nftables, or set portBackend to iptables`, { cause: err });
  }
  const match = /^\/dev\/stdin:(\d+):(\d+)-(\d+): Error: (.*)$/m.exec(err.stderr);
  if (!match) return new CtrnetError('EXEC_FAILED', `cannot ${doing}: ${err.message}`, { cause: err });
  const [, line, from, to, message] = match;
  const fragment = script[Number(line) - 1]?.slice(Number(from) - 1, Number(to)) ?? '';
  const what = fragment ? `${message} at "${fragment}"` : message;
  return new CtrnetError('EXEC_FAILED', `cannot ${doing}: nft refused the transaction: ${what}; if ctrnet's table was changed by hand, ${RELOAD_HINT}`, { cause: err });
}
