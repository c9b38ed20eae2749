#!/usr/bin/env bash
# The main job on a fresh machine, with no cluster: installs Node 24, the npm packages and the
# pinned Locust, builds, then runs examples/local.yaml against the embedded local stack
# (Locust master + 2 workers + the sample inference service on 127.0.0.1).
# Extra arguments go to `locust-driver run`, e.g. --matrix my.yaml or --log-format json.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/toolchain.sh
npm ci --no-audit --no-fund --loglevel=error
npm run --silent build
bash scripts/locust-venv.sh >/dev/null
exec node dist/locust-driver.mjs run --matrix examples/local.yaml "$@"
