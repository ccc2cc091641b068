#!/usr/bin/env node
// Prefer the bundle (built by `npm run build`); fall back to the plain tsc output.
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/bundle/main.mjs', import.meta.url);
const { main } = await import(existsSync(bundle) ? bundle.href : '../dist/src/main.js');
process.exitCode = await main(process.argv.slice(2));
