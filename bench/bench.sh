#!/usr/bin/env bash
# npm run bench: from a fresh clone too — Node 24 (scripts/toolchain.sh), the npm packages if
# missing, a build, the pinned Locust venv (scripts/locust-venv.sh, once), then bench/bench.mjs.
# Arguments go to bench/bench.mjs (e.g. npm run bench -- --stages 2 --hold 5 --no-write);
# npm run bench -- --sweep [--holds 3,10 --cooldowns 0,3] runs bench/sweep.mjs instead (an hour or more).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/toolchain.sh
[ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error
npm run --silent build
bash scripts/locust-venv.sh >/dev/null
if [ "${1:-}" = --sweep ]; then exec node bench/sweep.mjs "$@"; fi
exec node bench/bench.mjs "$@"
