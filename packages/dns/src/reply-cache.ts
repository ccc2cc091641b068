import type { QueryContext } from './answer.js';

/** Entries kept before the cache starts over; a few hundred bytes each. */
const MAX_ENTRIES = 4096;

/**
 * Encoded local replies by exact query, so the common case (a container
 * asking the same name again and again) skips decode, look-up and encode:
 * only the 2-byte id differs between two replies to one query. The key is
 * everything a reply depends on: listen and source address, transport, and
 * every byte of the query after the id (flags, question as spelled, EDNS).
 * Only replies with at most one record go in (more would have to be
 * shuffled per reply). A cache belongs to one view: the resolver drops it on
 * update. Bounded by starting over when full, which costs one miss per hot
 * query and needs no bookkeeping.
 */
export class ReplyCache {
  private readonly entries = new Map<string, Buffer>();

  /** The reply to `message`, with its id, or undefined on a miss. */
  get(message: Buffer, ctx: QueryContext): Buffer | undefined {
    const cached = this.entries.get(keyOf(message, ctx));
    if (!cached) return undefined;
    const reply = Buffer.from(cached);
    message.copy(reply, 0, 0, 2);
    return reply;
  }

  /** Remembers `reply` as the answer to `message`. */
  set(message: Buffer, ctx: QueryContext, reply: Buffer): void {
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(keyOf(message, ctx), reply);
  }
}

function keyOf(message: Buffer, ctx: QueryContext): string {
  return `${ctx.transport} ${ctx.listen} ${ctx.source} ${message.toString('latin1', 2)}`;
}
