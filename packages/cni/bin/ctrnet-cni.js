#!/usr/bin/env node
// Prefer the bundle (npm run build): one file loads much faster than the module tree.
// The in-process runtime is loaded only when no ctrnetd serves the installation.
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/bundle/ctrnet-cni.mjs', import.meta.url);
const bundled = existsSync(bundle);
const { main, processIo } = await import(bundled ? bundle.href : '../dist/src/main.js');
const inProcess = async (inputs) => (await import(bundled ? new URL('../dist/bundle/in-process.mjs', import.meta.url).href : '@ctrnet/cli/local')).openLocalApi(inputs);
process.exitCode = await main(process.argv.slice(2), processIo(inProcess));
