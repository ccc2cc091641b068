export { ctrnetArgv, ctrnetBinPath, ctrnetCli, type CtrnetCliOptions, type CtrnetRunner, type CtrnetRunOptions } from './cli.js';
export { TestNamespaces, useTestNamespaces } from './namespaces.js';
export {
  NETNS_DIR,
  NETNS_PREFIX,
  execIn,
  inNetns,
  netnsHandle,
  netnsName,
  netnsPath,
  type ExecOutput,
  type NetnsExecOptions,
  type NetnsHandle,
  type NetnsRef,
} from './netns.js';
export { canConnect, httpGet, udpRequest, type HttpResponse, type ProbeOptions } from './probes.js';
export { spawnProcess, type SpawnedProcess, type SpawnOptions } from './process.js';
export { startEtcd, type EtcdOptions, type TestEtcd } from './etcd.js';
export { createCluster, type Cluster, type ClusterHost, type ClusterOptions } from './cluster.js';
export { startAddressEcho, startHttpServer, startUdpEcho, type ServerOptions, type TestServer } from './servers.js';
export { tempStateDir } from './state-dir.js';
export { HostNamespaceExecutor } from './host-executor.js';
export { createCtrnetEnv, type CtrnetEnv, type CtrnetEnvOptions, type DaemonHandle } from './ctrnet-env.js';
export { throughDaemon, DAEMON_MODE_VARIABLE } from './daemon-mode.js';
export { describeNetworkDriver, type DriverHostEnv, type DriverHostSetup, type NetworkDriverSuiteOptions } from './conformance/network-driver.js';
export { describeIpamDriver, type IpamDriverSuiteOptions } from './conformance/ipam-driver.js';
export { describePortPublisher, type PortPublisherSuiteOptions } from './conformance/port-publisher.js';
export { describePublisherBehaviour, type PublisherBehaviourOptions } from './conformance/publisher-behaviour.js';
export {
  TOPOLOGY as PUBLISHER_TOPOLOGY,
  addOtherNetwork,
  buildPublisherTopology,
  publishedPort,
  type PublisherTopology,
} from './conformance/publisher-topology.js';
export { driverTraitProblems } from './conformance/traits.js';
export { createFence, Fence, type FenceExecOptions, type FenceOptions } from './engines/fence.js';
export { startDockerd, DOCKER_PLUGIN_DIRS, type Dockerd, type DockerdOptions } from './engines/docker.js';
export { preparePodman, CNI_PLUGIN_DIR, type Podman, type PodmanOptions } from './engines/podman.js';
export { startContainerd, CTR_CNI_DIRS, type Containerd } from './engines/containerd.js';
export { startCtrnetd, type CtrnetdOptions, type FencedCtrnetd } from './engines/ctrnetd.js';
export { ociRuntime, type OciBundle, type OciBundleOptions, type OciHook, type OciHooks, type OciRuntime } from './engines/oci.js';
export { busyboxImage, BUSYBOX_HTTPD, BUSYBOX_IMAGE, BUSYBOX_INDEX, type BusyboxImage } from './engines/image.js';
export { missingPackages, skipUnlessInstalled, type EngineName } from './engines/requirements.js';
export { createLan, LAN_TOPOLOGY, type Lan } from './engines/lan.js';
export { ENGINE_HOST_PATHS, fenceHostChanges, hostChanges, snapshotHost, type HostSnapshot } from './engines/host-snapshot.js';
