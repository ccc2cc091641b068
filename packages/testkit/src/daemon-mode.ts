/**
 * Set to `1` to run a suite through ctrnetd: every createCtrnetEnv then
 * starts a daemon for its installation, and the CLI (in its `daemon: auto`
 * mode) sends every command there. One suite, two paths.
 */
export const DAEMON_MODE_VARIABLE = 'CTRNET_TEST_DAEMON';

/** Whether this test run goes through ctrnetd (see {@link DAEMON_MODE_VARIABLE}). */
export function throughDaemon(): boolean {
  return process.env[DAEMON_MODE_VARIABLE] === '1';
}
