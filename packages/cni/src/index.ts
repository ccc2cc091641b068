export { main, processIo, type CniIo } from './main.js';
export { installLauncher } from './install.js';
export { cniSocketPath, startCniForwarder, type CniForwarderOptions } from './forwarder.js';
