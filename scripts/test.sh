#!/usr/bin/env bash
# The README's test command (npm test): install what is missing, build, then
# run every package's unit tests, the real-kernel integration tests, and the
# end-to-end suite twice: in-process, then through ctrnetd.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

export NX_DAEMON=false NX_NO_CLOUD=true NX_SKIP_NX_CACHE=true
echo "== unit tests"
npx lerna run test:unit --stream --concurrency 1 --no-prefix
echo "== integration tests"
npx lerna run test:integration --stream --concurrency 1 --no-prefix
echo "== end-to-end tests, in-process"
npx mocha --config test/.mocharc.json
echo "== end-to-end tests, through ctrnetd"
# These start ctrnetd themselves (createCtrnetEnv's daemon: true): the pass above ran them through it already.
CTRNET_TEST_DAEMON=1 npx mocha --config test/.mocharc.json \
  --ignore 'test/dist/daemon.e2e.js' --ignore 'test/dist/dns.e2e.js' --ignore 'test/dist/sandbox-api.e2e.js' --ignore 'test/dist/channel.e2e.js'
