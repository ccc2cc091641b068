import type { PluginContext } from './driver.js';
import type { LinkRule, NetworkRules, PortBinding } from './types.js';

/** Everything a publisher must be able to re-create from scratch (`system reload`). */
export interface FirewallState {
  networks: NetworkRules[];
  ports: PortBinding[];
  links: LinkRule[];
}

/** Result of probing whether a backend works on this machine. */
export interface ProbeResult {
  usable: boolean;
  /** Why, in words for `system info` ("nft 1.0.6 answers", "nft not found"). */
  reason: string;
}

/**
 * A port-publishing backend (iptables, nftables, ...). It owns every
 * firewall rule ctrnet needs: per network (masquerade, isolation, ICC, the
 * direct-routing guard) and per published port (DNAT, forward accept).
 * Every method applies its change as one atomic batch and is idempotent, so
 * a crashed operation can simply be repeated.
 */
export interface PortPublisher {
  readonly name: string;
  /**
   * Rank for `portBackend: auto`: the usable publisher with the highest
   * preference wins; ties go to the one registered first. Absent = 0.
   */
  readonly preference?: number;
  /** Can this backend work here? Used by `portBackend: auto` and `system info`. */
  probe(ctx: PluginContext): Promise<ProbeResult>;
  /** Install (or refresh) a network's rules. */
  addNetwork(ctx: PluginContext, network: NetworkRules): Promise<void>;
  /** Remove exactly a network's rules. Idempotent; a no-op when the backend was never set up. */
  removeNetwork(ctx: PluginContext, network: NetworkRules): Promise<void>;
  /** Publish ports, all in one transaction. */
  publish(ctx: PluginContext, bindings: readonly PortBinding[]): Promise<void>;
  /** Unpublish ports, all in one transaction. Idempotent. */
  unpublish(ctx: PluginContext, bindings: readonly PortBinding[]): Promise<void>;
  /** Open a linked container's exposed ports when ICC is off. */
  addLink(ctx: PluginContext, link: LinkRule): Promise<void>;
  /** Close them again. Idempotent. */
  removeLink(ctx: PluginContext, link: LinkRule): Promise<void>;
  /** Throw away everything this backend installed and re-create `state` (after someone flushed the firewall). */
  reload(ctx: PluginContext, state: FirewallState): Promise<void>;
  /** Remove everything this backend ever installed. Idempotent. */
  reset(ctx: PluginContext): Promise<void>;
  /** The backend's rules as text, for humans (`iptables -t nat -L -n` style). */
  describe(ctx: PluginContext): Promise<string>;
  /**
   * Whether everything `state` needs is still installed (someone may have run
   * `nft flush ruleset`, `iptables -F` or a firewalld reload). Cheap enough
   * to run every second. Returns what is missing, in words; empty = intact.
   */
  check(ctx: PluginContext, state: FirewallState): Promise<string[]>;
  /**
   * Optional: call `onChange` soon after the kernel's firewall changes (e.g.
   * from `nft monitor`), so a resident process can check at once instead of
   * waiting for its next periodic check. Returns a function that stops
   * watching, or undefined when this machine offers no way to watch.
   */
  watch?(ctx: PluginContext, onChange: () => void): (() => void) | undefined;
}
