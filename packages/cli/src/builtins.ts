import type { PreloadedModules } from '@ctrnet/core';

/**
 * The built-in plugins, linked statically so the bundled CLI carries them
 * (one file loads much faster than hundreds). They still register through
 * the plugin API, in the order the config lists them, like any plugin.
 */
export const BUILTIN_MODULES: PreloadedModules = {
  '@ctrnet/ipam-default': () => import('@ctrnet/ipam-default'),
  '@ctrnet/driver-bridge': () => import('@ctrnet/driver-bridge'),
  '@ctrnet/driver-host': () => import('@ctrnet/driver-host'),
  '@ctrnet/driver-none': () => import('@ctrnet/driver-none'),
  '@ctrnet/driver-container': () => import('@ctrnet/driver-container'),
  '@ctrnet/ports-nftables': () => import('@ctrnet/ports-nftables'),
  '@ctrnet/ports-iptables': () => import('@ctrnet/ports-iptables'),
};
