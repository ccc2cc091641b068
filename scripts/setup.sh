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
if [ ${#missing[@]} -gt 0 ]; then
  echo "ctrnet setup: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# npm dependencies: reinstall only when the lock file changed since the last install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "ctrnet setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

echo "ctrnet setup: building"
npm run build --silent
