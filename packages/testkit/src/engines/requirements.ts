/**
 * Which Debian packages each engine harness needs, checked by the files they
 * install (no dpkg needed), and a mocha helper that skips loudly when one is
 * missing: an engine test must neither fail nor pass silently on a machine
 * without the engine.
 */
import { closeSync, existsSync, openSync, readSync } from 'node:fs';

/** What a harness can drive. */
export type EngineName = 'dockerd' | 'podman' | 'netavark' | 'containerd' | 'runc' | 'crun';

interface Requirement {
  pkg: string;
  path: string;
  /** Extra condition on the file; a reason when it fails. */
  check?: (path: string) => string | undefined;
}

/** The image rootfs has no libraries: a dynamically linked /bin/busybox (package busybox) would not start. */
const BUSYBOX: Requirement = { pkg: 'busybox-static', path: '/bin/busybox', check: (p) => (hasInterpreter(p) ? 'is dynamically linked' : undefined) };
const CNI_PLUGINS: Requirement = { pkg: 'containernetworking-plugins', path: '/usr/lib/cni/bridge' };
const CONTAINERD: Requirement = { pkg: 'containerd', path: '/usr/bin/containerd' };
const RUNC: Requirement = { pkg: 'runc', path: '/usr/sbin/runc' };
const CRUN: Requirement = { pkg: 'crun', path: '/usr/bin/crun' };
const PODMAN: Requirement[] = [{ pkg: 'podman', path: '/usr/bin/podman' }, { pkg: 'conmon', path: '/usr/bin/conmon' }, CRUN, BUSYBOX];

const NEEDS: Record<EngineName, Requirement[]> = {
  dockerd: [{ pkg: 'docker.io', path: '/usr/sbin/dockerd' }, { pkg: 'docker.io', path: '/usr/bin/docker' }, CONTAINERD, RUNC, BUSYBOX],
  podman: [...PODMAN, CNI_PLUGINS],
  netavark: [...PODMAN, { pkg: 'netavark', path: '/usr/lib/podman/netavark' }],
  containerd: [CONTAINERD, { pkg: 'containerd', path: '/usr/bin/ctr' }, RUNC, CNI_PLUGINS, BUSYBOX],
  runc: [RUNC, BUSYBOX],
  crun: [CRUN, BUSYBOX],
};

/** One line per unmet requirement of `engines`, naming the package ("docker.io: /usr/sbin/dockerd is missing"). */
export function missingPackages(...engines: EngineName[]): string[] {
  const problems = new Set<string>();
  for (const req of engines.flatMap((e) => NEEDS[e])) {
    const why = existsSync(req.path) ? req.check?.(req.path) : 'is missing';
    if (why) problems.add(`${req.pkg}: ${req.path} ${why}`);
  }
  return [...problems];
}

/**
 * Call first in a mocha `before` (or test): when a package an engine needs
 * is missing, prints a loud line naming it on stderr and skips
 * (`this.skip()`), so the suite reports pending tests instead of failing.
 */
export function skipUnlessInstalled(ctx: Mocha.Context, ...engines: EngineName[]): void {
  const missing = missingPackages(...engines);
  if (missing.length === 0) return;
  const title = ctx.currentTest?.fullTitle() ?? ctx.test?.parent?.fullTitle() ?? engines.join(', ');
  process.stderr.write(
    `\n[ctrnet testkit] SKIPPED "${title}": missing package(s): ${missing.join('; ')}. Install them with scripts/setup.sh (as root).\n`,
  );
  ctx.skip();
}

/** True when the ELF file has a PT_INTERP program header, i.e. needs a dynamic loader. */
function hasInterpreter(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const header = Buffer.alloc(64);
    readSync(fd, header, 0, 64, 0);
    if (header.readUInt32BE(0) !== 0x7f454c46 || header[4] !== 2) return false; // not a 64-bit ELF: let it fail visibly later
    const phoff = Number(header.readBigUInt64LE(0x20));
    const phentsize = header.readUInt16LE(0x36);
    const phnum = header.readUInt16LE(0x38);
    const table = Buffer.alloc(phentsize * phnum);
    readSync(fd, table, 0, table.length, phoff);
    const PT_INTERP = 3;
    for (let i = 0; i < phnum; i++) if (table.readUInt32LE(i * phentsize) === PT_INTERP) return true;
    return false;
  } finally {
    closeSync(fd);
  }
}
