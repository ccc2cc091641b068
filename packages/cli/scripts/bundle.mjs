// Bundle the CLI, core and the built-in plugins into one ESM file: loading
// one file instead of hundreds of modules roughly halves `ctrnet`'s start-up.
// better-sqlite3 stays external (a native addon).
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));

await build({
  entryPoints: [here('../dist/src/main.js')],
  outfile: here('../dist/src/bundle.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['better-sqlite3'],
  // Bundled CommonJS dependencies call require(); give them one.
  banner: { js: "import { createRequire as __ctrnetRequire } from 'node:module'; const require = __ctrnetRequire(import.meta.url);" },
  logLevel: 'warning',
});
