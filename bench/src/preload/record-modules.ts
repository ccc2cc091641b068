/**
 * `node --import record-modules.js …` with $CTRNET_BENCH_MODULE_LOG set:
 * records every module file the process loads, for the thin-client
 * profile. ES modules through resolve hooks in the loader thread
 * (module-hooks.ts); CommonJS modules, which bypass those hooks in Node 20,
 * from require.cache at exit; built-in modules from process.moduleLoadList.
 * Costs a loader thread, so the timing runs use time-client.ts instead.
 */
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';

const log = process.env.CTRNET_BENCH_MODULE_LOG;
if (!log) throw new Error('record-modules: set $CTRNET_BENCH_MODULE_LOG to the file the module list goes to');
register('./module-hooks.js', import.meta.url, { data: { log } });

process.on('exit', () => {
  const cjs = Object.keys(createRequire(import.meta.url).cache).map((path) => `cjs ${path}`);
  const builtins = (process as unknown as { moduleLoadList: string[] }).moduleLoadList.map((name) => `builtin ${name}`);
  appendFileSync(log, [...cjs, ...builtins, ''].join('\n'));
});
