/**
 * A container image without a registry: a rootfs made of the static
 * /bin/busybox (package busybox-static), as a directory (OCI bundles), as a
 * plain tar (`docker import`, `podman import`) and as an OCI image layout
 * archive (`ctr images import` only takes image archives, not a rootfs tar).
 */
import { createHash } from 'node:crypto';
import { copyFileSync, createReadStream, mkdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import createDebug from 'debug';
import { execIn } from '../netns.js';

const debug = createDebug('ctrnet:testkit:engines:image');

/** The name every engine harness imports the image as. */
export const BUSYBOX_IMAGE = 'local/busybox:1';

/** The image's web server: busybox httpd in the foreground on port 80, serving /www. */
export const BUSYBOX_HTTPD: readonly string[] = ['httpd', '-f', '-p', '80', '-h', '/www'];

/** What {@link BUSYBOX_HTTPD} serves at `/`. */
export const BUSYBOX_INDEX = 'hello from busybox\n';

/** Applets linked to busybox in /bin. */
const APPLETS = ['sh', 'httpd', 'ls', 'cat', 'sleep', 'echo', 'wget', 'nc', 'ip', 'ps', 'true'];

/** Mount points the runtimes would otherwise create inside the (shared) rootfs. */
const EMPTY_DIRS = ['proc', 'sys', 'dev', 'etc', 'tmp'];

/** The three forms of the image. */
export interface BusyboxImage {
  /** The rootfs directory (for an OCI bundle's `root.path`). */
  rootfs: string;
  /** `tar -C rootfs -c .`: for `docker import` / `podman import`. */
  rootfsTar: string;
  /** An OCI image layout in a tar, the manifest annotated as `docker.io/local/busybox:1`: for `ctr images import`. */
  ociArchive: string;
}

/** Builds the image under `dir` (created if needed). */
export async function busyboxImage(dir: string): Promise<BusyboxImage> {
  const rootfs = join(dir, 'rootfs');
  mkdirSync(join(rootfs, 'bin'), { recursive: true });
  mkdirSync(join(rootfs, 'www'), { recursive: true });
  for (const d of EMPTY_DIRS) mkdirSync(join(rootfs, d), { recursive: true });
  copyFileSync('/bin/busybox', join(rootfs, 'bin', 'busybox'));
  for (const applet of APPLETS) symlinkSync('busybox', join(rootfs, 'bin', applet));
  writeFileSync(join(rootfs, 'www', 'index.html'), BUSYBOX_INDEX);
  const rootfsTar = join(dir, 'busybox.tar');
  await execIn(undefined, ['tar', '--numeric-owner', '-C', rootfs, '-cf', rootfsTar, '.']);
  const ociArchive = await ociLayoutArchive(dir, rootfsTar);
  debug('built %s', dir);
  return { rootfs, rootfsTar, ociArchive };
}

/**
 * Wraps the rootfs tar as the single uncompressed layer of an OCI image
 * layout (oci-layout, index.json, blobs/sha256/*) and tars that. ctr names
 * the image after the `io.containerd.image.name` annotation.
 */
async function ociLayoutArchive(dir: string, layerTar: string): Promise<string> {
  const layout = join(dir, 'oci');
  const blobs = join(layout, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  const layer = { digest: await sha256File(layerTar), size: statSync(layerTar).size };
  copyFileSync(layerTar, join(blobs, layer.digest));
  const config = writeBlob(blobs, {
    architecture: 'amd64',
    os: 'linux',
    config: { Env: ['PATH=/bin'], Cmd: ['sh'] },
    rootfs: { type: 'layers', diff_ids: [`sha256:${layer.digest}`] },
  });
  const manifest = writeBlob(blobs, {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${config.digest}`, size: config.size },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: `sha256:${layer.digest}`, size: layer.size }],
  });
  writeFileSync(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(
    join(layout, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: `sha256:${manifest.digest}`,
        size: manifest.size,
        annotations: { 'io.containerd.image.name': `docker.io/${BUSYBOX_IMAGE}`, 'org.opencontainers.image.ref.name': BUSYBOX_IMAGE.split(':')[1] },
      }],
    }),
  );
  const archive = join(dir, 'busybox-oci.tar');
  await execIn(undefined, ['tar', '--numeric-owner', '-C', layout, '-cf', archive, '.']);
  return archive;
}

/** Writes a JSON blob named by its digest. */
function writeBlob(blobs: string, value: unknown): { digest: string; size: number } {
  const bytes = Buffer.from(JSON.stringify(value));
  const digest = createHash('sha256').update(bytes).digest('hex');
  writeFileSync(join(blobs, digest), bytes);
  return { digest, size: bytes.length };
}

function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject);
  });
}
