#!/usr/bin/env bash
# Install what ctrnet needs on a Debian/Ubuntu machine (as root), then build.
# Safe to run again: each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
  echo "ctrnet setup: error: run as root (ctrnet creates namespaces, interfaces and firewall rules)" >&2
  exit 1
fi

# Kernel tools: ip (iproute2), nft (nftables), iptables-restore (iptables),
# nsenter/unshare (util-linux), sysctl (procps); and test tools.
missing=()
command -v ip >/dev/null || missing+=(iproute2)
command -v nft >/dev/null || missing+=(nftables)
command -v iptables-restore >/dev/null || missing+=(iptables)
command -v nsenter >/dev/null || missing+=(util-linux)
command -v sysctl >/dev/null || missing+=(procps)
# dnsmasq: the upstream DNS server in @ctrnet/dns's integration tests.
command -v dnsmasq >/dev/null || missing+=(dnsmasq-base)
# Containers: tini forks each container's PID 1 and learns its status; dtach
# holds a container's terminal while nobody is attached; tmux drives the
# interactive end-to-end test.
command -v tini >/dev/null || missing+=(tini)
command -v dtach >/dev/null || missing+=(dtach)
command -v tmux >/dev/null || missing+=(tmux)
# A C compiler builds ctrnet-cni's native front (packages/cni/native); without
# one the build installs the slower Node launcher in its place.
command -v cc >/dev/null || missing+=(gcc)
if [ ${#missing[@]} -gt 0 ]; then
  echo "ctrnet setup: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Container engines for the testkit's engine harness (packages/testkit/src/engines):
# the engine tests run the real binaries, fenced off from the host, and skip
# loudly when a package is missing. etcd (server and etcdctl) is the cluster
# store of the overlay tests, which start their own etcd inside a namespace;
# iperf3 measures the overlay's throughput in the benchmark.
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
engines=()
for pkg in docker.io podman containerd runc crun conmon busybox-static containernetworking-plugins etcd-server etcd-client iperf3; do
  installed "$pkg" || engines+=("$pkg")
done
if [ ${#engines[@]} -gt 0 ]; then
  echo "ctrnet setup: installing ${engines[*]}"
  # docker.io's postinst runs `invoke-rc.d docker start` when /etc/init.d/docker
  # exists and systemd does not run (as here), and containerd's and podman's
  # start their units under systemd; etcd-server's runs `invoke-rc.d etcd
  # start` (an etcd on the host's 127.0.0.1:2379) and enables etcd.service:
  # either way a daemon would start on the host. A policy-rc.d that answers 101 ("action forbidden") stops both
  # invoke-rc.d and deb-systemd-invoke; it is removed again afterwards, and an
  # existing one is left alone.
  policy=/usr/sbin/policy-rc.d
  own_policy=
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# ctrnet setup: no daemon may start while engine packages install\nexit 101\n' > "$policy"
    chmod 755 "$policy"
    own_policy=1
    trap 'rm -f "$policy"' EXIT
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${engines[@]}" >/dev/null
  if [ -n "$own_policy" ]; then
    rm -f "$policy"
    trap - EXIT
  fi
fi

# npm dependencies: reinstall only when the lock file changed since the last install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "ctrnet setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

echo "ctrnet setup: building"
npm run build --silent
