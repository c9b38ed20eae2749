#!/usr/bin/env bash
# npm run bench: from a fresh clone too — Node 24 (scripts/toolchain.sh), the npm packages if
# missing, a build, the pinned Locust venv (scripts/locust-venv.sh, once), then bench/bench.mjs and
# bench/footprint.mjs.
# Arguments go to bench/bench.mjs (e.g. npm run bench -- --stages 2 --hold 5 --no-write);
# npm run bench -- --sweep [--holds 3,10 --cooldowns 0,3] runs bench/sweep.mjs instead (an hour or more).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/toolchain.sh
[ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error
npm run --silent build
bash scripts/locust-venv.sh >/dev/null
if [ "${1:-}" = --sweep ]; then exec node bench/sweep.mjs "$@"; fi
node bench/bench.mjs "$@"
# The footprint step (issue 13: peak RSS, validate, payload; bench/footprint.mjs): its own section of
# docs/benchmarks.md, written after bench.mjs's page. BENCH_FOOTPRINT_ARGS: its flags (e.g. --stages 6).
footprint_args=(${BENCH_FOOTPRINT_ARGS:-})
for a in "$@"; do if [ "$a" = --no-write ]; then footprint_args+=(--no-write); fi; done
exec node bench/footprint.mjs "${footprint_args[@]}"
