// Bundle the CLI, core and the built-in plugins into a few files: loading a
// few files instead of hundreds of modules is most of `ctrnet`'s start-up.
//
// - fast.cjs: the fast path (src/fast), one CommonJS file with no imports:
//   `run -d`, `rm` and `ps` sent to ctrnetd. CommonJS because Node's ESM
//   loader alone costs a thin client ~7 ms of its ~15 ms budget; one file
//   because every file is a lookup and a compile.
// - main.mjs and its chunks: the full program. Code splitting keeps what a
//   command does not need out of its way: the entry holds the commands and
//   the daemon client; the runtime (SQLite, zod, execa, the plugins) and the
//   daemon's server are chunks loaded with import() only by the commands
//   that run in-process or serve. Native addons and the server framework
//   stay external.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));

// zod's `z` namespace carries `z.locales`, every language's messages:
// 370 KiB of the runtime's 1.5 MiB chunk, compiled by every in-process
// command. ctrnet speaks English only (zod registers `en` itself), so the
// namespace keeps `en` and nothing else.
const englishOnlyZod = {
  name: 'zod-english-only',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, () => ({ contents: 'export { default as en } from "./en.js";', loader: 'js' }));
  },
};
const common = { bundle: true, platform: 'node', target: 'node20', logLevel: 'warning' };

rmSync(here('../dist/bundle'), { recursive: true, force: true });
await build({
  ...common,
  entryPoints: [here('../dist/src/fast/main.js')],
  outfile: here('../dist/bundle/fast.cjs'),
  format: 'cjs',
  // Reached only by `ps --format`, which the fast path leaves to the full program; import() still finds it.
  external: ['@ctrnet/template'],
  // Modules it takes in compute paths from import.meta.url; CommonJS has __filename.
  define: { 'import.meta.url': '__ctrnetImportMetaUrl' },
  banner: { js: "const __ctrnetImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
});
await build({
  ...common,
  entryPoints: { main: here('../dist/src/main.js') },
  outdir: here('../dist/bundle'),
  outExtension: { '.js': '.mjs' },
  splitting: true,
  format: 'esm',
  external: ['better-sqlite3', 'fastify'],
  plugins: [englishOnlyZod],
  // Bundled CommonJS dependencies call require(); give them one.
  banner: { js: "import { createRequire as __ctrnetRequire } from 'node:module'; const require = __ctrnetRequire(import.meta.url);" },
});
