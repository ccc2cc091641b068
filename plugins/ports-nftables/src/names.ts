/**
 * Names this backend gives kernel objects. Part of ctrnet's contract with
 * the state it leaves behind (reset must find an older version's table) and,
 * for the table, with admins who add rules to its `user` chain. Never change.
 */

/** ctrnet's own nftables table (family inet, see layout.ts). */
export const TABLE_NAME = 'ctrnet';

/** Packet mark (bit) for connections that need masquerading after DNAT (localhost, hairpin). */
export const MASQUERADE_MARK = 0x2000;
