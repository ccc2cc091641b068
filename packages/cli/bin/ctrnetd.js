#!/usr/bin/env node
// ctrnetd: the resident engine; the same as `ctrnet [global options] daemon run`.
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/bundle/main.mjs', import.meta.url);
const { main } = await import(existsSync(bundle) ? bundle.href : '../dist/src/main.js');
process.exitCode = await main([...process.argv.slice(2), 'daemon', 'run']);
