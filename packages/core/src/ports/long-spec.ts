/**
 * The long form of `-p` that `docker run` accepts:
 * `target=80,published=8080,protocol=udp,host_ip=127.0.0.1`. docker/cli
 * (cli/command/container/opts.go `convertToStandardNotation`) rewrites it to
 * the short form `PUBLISHED:TARGET/PROTOCOL` before parsing; so do we, with
 * `host_ip` in front. Unlike docker/cli, an unknown key or a repeated one is
 * refused rather than ignored, and `target` is required.
 */
import { CtrnetError } from '../errors.js';

const KEYS = ['target', 'published', 'protocol', 'host_ip'] as const;
type Key = (typeof KEYS)[number];

/** Whether a `-p` value is the long form (docker/cli: it contains `=`). */
export function isLongPublishSpec(spec: string): boolean {
  return spec.includes('=');
}

/** `target=80,published=8080,protocol=udp,host_ip=::1` → `[::1]:8080:80/udp`. */
export function longPublishSpecToShort(spec: string): string {
  const fields = new Map<Key, string>();
  for (const field of spec.split(',')) {
    const eq = field.indexOf('=');
    const key = field.slice(0, eq < 0 ? field.length : eq);
    const problem =
      eq <= 0
        ? `field ${JSON.stringify(field)} is not KEY=VALUE`
        : !(KEYS as readonly string[]).includes(key)
          ? `unknown field ${JSON.stringify(key)}`
          : fields.has(key as Key)
            ? `field ${JSON.stringify(key)} is given twice`
            : undefined;
    if (problem) throw invalid(spec, problem);
    fields.set(key as Key, field.slice(eq + 1));
  }
  const target = fields.get('target');
  if (!target) throw invalid(spec, 'the field "target" (the container port) is required');
  const hostIp = fields.get('host_ip');
  const host = hostIp === undefined ? '' : `${hostIp.includes(':') && !hostIp.startsWith('[') ? `[${hostIp}]` : hostIp}:`;
  const published = fields.get('published') ?? '';
  const protocol = fields.get('protocol') ?? 'tcp';
  // Without a host IP, an empty published port must still keep its place: ":80" is "any free port for 80".
  return `${host}${host || published ? `${published}:` : ''}${target}/${protocol}`;
}

function invalid(spec: string, problem: string): CtrnetError {
  return new CtrnetError('INVALID_ARGUMENT', `invalid publish spec ${JSON.stringify(spec)}: ${problem}; expected target=PORT[,published=PORT][,protocol=tcp|udp|sctp][,host_ip=IP]`);
}
