#!/usr/bin/env bash
# The README's first quick-start command (npm run demo): install, build, run the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
node examples/demo/demo.mjs
