/**
 * The plain-data shape of everything this backend puts into iptables. A
 * {@link Unit} is what one object (the base layout, a network, a container's
 * published ports on one network, a link) owns: its own chains and the jump
 * rules that lead into them from shared chains. Builders produce units,
 * payload functions turn units into `iptables-restore` input.
 */

/** The iptables tables ctrnet writes to. */
export type Table = 'raw' | 'nat' | 'filter';

/** Tables in the order a payload lists them. */
export const TABLES: readonly Table[] = ['raw', 'nat', 'filter'];

/** One rule as the argv that follows `-A CHAIN` (e.g. `['-o', 'br0', '-j', 'DROP']`). */
export type Rule = readonly string[];

/** A chain ctrnet owns. */
export interface OwnedChain {
  table: Table;
  name: string;
  /** The chain's full content, in order. Empty for a dispatch chain. */
  rules: readonly Rule[];
  /**
   * A dispatch chain's rules are other units' jumps, so once it exists it is
   * never flushed (except by `reload`, which re-adds every jump). Leaf
   * chains (not dispatch) are rewritten whole whenever they are refreshed.
   */
  dispatch?: boolean;
}

/** A rule in a shared chain (built-in or dispatch) that jumps into a unit's chain. */
export interface Jump {
  table: Table;
  /** The chain the rule sits in. */
  from: string;
  rule: Rule;
  /** `top`: inserted at position 1 (several top jumps of one chain keep their listed order); `bottom`: appended. */
  at: 'top' | 'bottom';
}

/** Everything one object owns; installed and removed as a whole. */
export interface Unit {
  chains: readonly OwnedChain[];
  jumps: readonly Jump[];
}

/** A chain by table and name. */
export interface ChainRef {
  table: Table;
  name: string;
}
