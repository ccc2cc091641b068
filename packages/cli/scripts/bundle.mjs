// Bundle the CLI, core and the built-in plugins into a few ESM files:
// loading a few files instead of hundreds of modules is most of `ctrnet`'s
// start-up. Code splitting keeps the thin-client path small: the entry
// holds the commands and the daemon client; the runtime (SQLite, zod,
// execa, the plugins) and the daemon's server are chunks loaded with
// import() only by the commands that run in-process or serve.
// Native addons and the server framework stay external.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));

rmSync(here('../dist/bundle'), { recursive: true, force: true });
await build({
  entryPoints: { main: here('../dist/src/main.js') },
  outdir: here('../dist/bundle'),
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['better-sqlite3', 'fastify'],
  // Bundled CommonJS dependencies call require(); give them one.
  banner: { js: "import { createRequire as __ctrnetRequire } from 'node:module'; const require = __ctrnetRequire(import.meta.url);" },
  logLevel: 'warning',
});
