import { readFileSync } from 'node:fs';

/**
 * The release this CLI belongs to, from its package.json. Both the tsc
 * output (dist/src/*.js) and the bundle (dist/bundle/*.mjs) sit two levels
 * below the package, so one relative path serves both.
 */
export const VERSION: string = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
