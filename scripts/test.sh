#!/usr/bin/env bash
# Every test tier on a fresh machine: lint, types, build, unit, integration (real Locust from PyPI —
# the full tier on 2.47.0 and 2.12.1, a quick run on every release in locust/test-versions.txt —
# master + 2 workers, and the sample service, all on 127.0.0.1; a real Prometheus for remote write,
# built from the Go module proxy by the integration setup on first use — 4-6 minutes, then cached),
# e2e (a cluster that reconciles — etcd, kube-apiserver, controller-manager, scheduler, kwok fake
# nodes, metrics-server — built from Go modules on first use — about 20 minutes, then cached — and
# the driver running as in its pod). The tiers run one after another: they share two cores.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/toolchain.sh
npm ci --no-audit --no-fund --loglevel=error
npm run --silent lint
npm run --silent typecheck
npm run --silent build
for v in $(sed 's/#.*//' locust/test-versions.txt | awk '{print $1}'); do bash scripts/locust-venv.sh "$v" >/dev/null; done
# report.html is checked in a real headless Chromium (test/integration/report-html.test.ts drives
# Debian's /usr/bin/chromium with puppeteer-core, which downloads no browser). CI runs as root on a
# fresh Debian machine, so install it from Debian's packages when it is not there yet.
command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
if [ "$#" -gt 0 ]; then exec npx vitest run "$@"; fi
npx vitest run --project unit
npx vitest run --project integration
npx vitest run --project e2e
