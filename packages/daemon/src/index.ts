export { startDaemon, type Daemon, type DaemonOptions, type DaemonService } from './daemon.js';
export { FirewallGuard, CHECK_INTERVAL_MS } from './firewall-guard.js';
export { createServer, type ServerOptions } from './server.js';
