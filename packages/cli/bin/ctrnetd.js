#!/usr/bin/env node
// ctrnetd: the resident engine; the same as `ctrnet [global options] daemon run`.
// CommonJS like bin/ctrnet.js (bin/package.json).
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

const bundle = join(__dirname, '../dist/bundle/main.mjs');
(async () => {
  const { main } = await import(pathToFileURL(existsSync(bundle) ? bundle : join(__dirname, '../dist/src/main.js')).href);
  process.exitCode = await main([...process.argv.slice(2), 'daemon', 'run']);
})();
