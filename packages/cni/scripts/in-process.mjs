// The bundle's in-process runtime: the CLI's, with the built-in plugins linked in.
export { openLocalApi } from '@ctrnet/cli/local';
