#!/usr/bin/env bash
# npm run bench [-- --quick] [--compare] [--scaling] [--dataplane] [--n N] [--only name,name] ... (--help lists all)
# Installs the competitors (Debian packages) if missing, builds the harness
# and runs it. Everything it creates lives in throwaway network namespaces.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ $EUID -ne 0 ]]; then
  echo "bench.sh: run as root (it creates network namespaces and firewall rules inside them)" >&2
  exit 1
fi

# containernetworking-plugins: CNI 1.1.1 bridge/host-local/portmap in /usr/lib/cni
# netavark: 1.4.0 in /usr/lib/podman; time: GNU time, for the tools' peak RSS
# util-linux: nsenter; iproute2/nftables/iptables: what the tools drive
# aardvark-dns: 1.4.0 in /usr/lib/podman, the resolver --dns compares with
packages=(containernetworking-plugins netavark aardvark-dns iproute2 nftables iptables time util-linux)
missing=()
for pkg in "${packages[@]}"; do
  # `dpkg -s` also succeeds for removed packages whose config files remain, so check the status word.
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if ((${#missing[@]} > 0)); then
  echo "bench.sh: installing ${missing[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

bash scripts/setup.sh
npx tsc -p bench
exec node bench/dist/main.js "$@"
