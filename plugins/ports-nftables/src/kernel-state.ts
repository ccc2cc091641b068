/**
 * Reads back the elements of ctrnet's sets and maps from `nft -j list table`
 * output, in the same text form {@link ./elements.js} writes, so kernel
 * state and intended state compare as plain strings. Only needed on the slow
 * path (an element held by someone else, or a missing object); listing costs
 * grow with the table, so the fast path never lists.
 */
import { CtrnetError, canonicalIpv6 } from '@ctrnet/core';
import { ifname, prefix, type Elements } from './elements.js';
import { SET_ROLES, SETS, type NftType, type SetRole } from './layout.js';

interface JsonSet {
  name: string;
  elem?: unknown[];
}

const ROLE_BY_NAME = new Map<string, SetRole>(SET_ROLES.map((role) => [SETS[role].name, role]));

/** Elements of ctrnet's sets in `nft -j list table` output; objects the table lacks are simply absent. */
export function parseTableJson(json: string): Elements {
  let doc: { nftables?: Array<Record<string, unknown>> };
  try {
    doc = JSON.parse(json) as typeof doc;
  } catch (err) {
    throw new CtrnetError('INTERNAL', `nft -j printed something that is not JSON (${json.slice(0, 80)}...); report this with the output of nft --version`, { cause: err });
  }
  const out: Record<string, string[]> = {};
  for (const entry of doc.nftables ?? []) {
    const obj = (entry.set ?? entry.map) as JsonSet | undefined;
    const role = obj && ROLE_BY_NAME.get(obj.name);
    if (!obj || !role) continue;
    const spec = SETS[role];
    out[role] = (obj.elem ?? []).map((raw) => {
      const elem = unwrap(raw);
      if (!('data' in spec)) return tuple(elem, spec.key);
      const [key, data] = elem as [unknown, unknown];
      return `${tuple(unwrap(key), spec.key)} : ${tuple(data, spec.data)}`;
    });
  }
  return out as Elements;
}

/** Elements (map keys) with counters or timeouts come wrapped as `{elem: {val: ...}}`. */
function unwrap(value: unknown): unknown {
  if (isObject(value) && isObject(value.elem) && 'val' in value.elem) return value.elem.val;
  return value;
}

function tuple(value: unknown, types: readonly NftType[]): string {
  if (types.length === 1) return part(value, types[0]!);
  const parts = isObject(value) && Array.isArray(value.concat) ? value.concat : [];
  return parts.map((p, i) => part(p, types[i]!)).join(' . ');
}

function part(value: unknown, type: NftType): string {
  if (isObject(value) && isObject(value.prefix)) return prefix(`${String(value.prefix.addr)}/${String(value.prefix.len)}`);
  if (isObject(value) && Array.isArray(value.range)) return value.range.map(String).join('-');
  if (type === 'ifname') return ifname(String(value));
  // nft prints IPv6 with inet_ntop, which writes some addresses with an embedded IPv4 part (::1.2.3.4); ctrnet writes pure hex.
  return type === 'ipv6_addr' ? canonicalIpv6(String(value)) : String(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
