#!/usr/bin/env bash
# Every test tier on a fresh machine: lint, types, build, unit, integration (real Locust 2.47.0 and
# 2.12.1 from PyPI, master + 2 workers, and the sample service, all on 127.0.0.1).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/toolchain.sh
npm ci --no-audit --no-fund --loglevel=error
npm run --silent lint
npm run --silent typecheck
npm run --silent build
for v in $(cat locust/test-versions.txt); do bash scripts/locust-venv.sh "$v" >/dev/null; done
npx vitest run "$@"
