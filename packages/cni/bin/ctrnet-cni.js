#!/usr/bin/env node
// Prefer the bundle (npm run bundle): one file loads much faster than the module tree.
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/bundle/ctrnet-cni.mjs', import.meta.url);
const { main } = await import(existsSync(bundle) ? bundle.href : '../dist/src/main.js');
process.exitCode = await main(process.argv.slice(2));
