#!/usr/bin/env node
// CommonJS (bin/package.json): Node's ESM loader costs the thin client more
// than its own code. The fast path (src/fast: run -d, rm, ps through ctrnetd)
// runs first; anything it leaves alone goes to the full program, the bundle
// when it is built (npm run build), else the plain tsc output.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

const bundle = join(__dirname, '../dist/bundle');
const argv = process.argv.slice(2);

(async () => {
  // With $CTRNET_DAEMON=never no daemon is asked: loading the fast path would only delay the in-process run.
  const fast = process.env.CTRNET_DAEMON === 'never' ? undefined : join(bundle, 'fast.cjs');
  const status = fast && existsSync(fast) ? await require(fast).fastMain(argv) : undefined;
  if (status !== undefined) {
    process.exitCode = status;
    return;
  }
  const full = existsSync(join(bundle, 'main.mjs')) ? join(bundle, 'main.mjs') : join(__dirname, '../dist/src/main.js');
  const { main } = await import(pathToFileURL(full).href);
  process.exitCode = await main(argv);
})();
