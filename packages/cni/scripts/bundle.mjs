// Bundle ctrnet-cni into a few ESM files: a CNI plugin is a fresh process per
// call, and loading one file instead of hundreds of modules is most of its
// start-up. Code splitting keeps the daemon path small: the entry holds the
// CNI logic and the daemon client; the in-process runtime (SQLite, zod,
// execa, the plugins) is a chunk loaded only when no daemon answers.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));

rmSync(here('../dist/bundle'), { recursive: true, force: true });
await build({
  entryPoints: { 'ctrnet-cni': here('../dist/src/main.js'), 'in-process': here('./in-process.mjs') },
  outdir: here('../dist/bundle'),
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['better-sqlite3', 'fastify'],
  banner: { js: "import { createRequire as __ctrnetRequire } from 'node:module'; const require = __ctrnetRequire(import.meta.url);" },
  logLevel: 'warning',
});
