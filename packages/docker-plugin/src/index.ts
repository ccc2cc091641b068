export { startDockerPlugin, type DockerPlugin, type DockerPluginOptions } from './server.js';
export { PLUGIN_CONTENT_TYPE } from './protocol.js';
