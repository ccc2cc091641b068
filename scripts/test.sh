#!/usr/bin/env bash
# The README's test command (npm test): install what is missing, build, then
# run every package's unit tests and the real-kernel integration tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

export NX_DAEMON=false NX_NO_CLOUD=true NX_SKIP_NX_CACHE=true
echo "== unit tests"
npx lerna run test:unit --stream --concurrency 1 --no-prefix
echo "== integration tests"
npx lerna run test:integration --stream --concurrency 1 --no-prefix
echo "== end-to-end tests"
npx mocha --config test/.mocharc.json
