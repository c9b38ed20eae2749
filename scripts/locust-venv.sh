#!/usr/bin/env bash
# Usage: scripts/locust-venv.sh [VERSION]        (default VERSION: 2.47.0)
#
# Creates, once, a Python venv at <repo>/.venv/locust-VERSION holding the fully pinned Locust of
# locust/requirements-VERSION.txt (from PyPI), and prints the path of its bin/locust as the LAST line
# of stdout. Everything else (progress, pip's errors) goes to stderr.
#
# Idempotent: .venv/locust-VERSION/.complete holds "<sha256 of the requirements file> <python version>";
# when it matches, nothing is installed. A venv without a matching marker (a half-finished or stale
# install) is deleted and rebuilt. Concurrent runs for the same VERSION are serialised with flock.
#
# Environment: LOCUST_DRIVER_PYTHON — the Python interpreter to use (default: python3).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VERSION="${1:-2.47.0}"
PYTHON="${LOCUST_DRIVER_PYTHON:-python3}"
REQ="$ROOT/locust/requirements-$VERSION.txt"
VENV="$ROOT/.venv/locust-$VERSION"
MARKER="$VENV/.complete"

die() { echo "locust-venv: $*" >&2; exit 1; }

if [ ! -f "$REQ" ]; then
  available="$(cd "$ROOT/locust" && ls requirements-*.txt 2>/dev/null | sed -e 's/^requirements-//' -e 's/\.txt$//' | tr '\n' ' ' | sed 's/ $//')"
  die "no pinned requirements for Locust $VERSION (locust/requirements-$VERSION.txt); available: ${available:-none}"
fi
command -v "$PYTHON" >/dev/null 2>&1 \
  || die "$PYTHON not found: install Python >= 3.11 with venv support (Debian/Ubuntu: apt-get install python3 python3-venv), or set LOCUST_DRIVER_PYTHON, or point LOCUST_DRIVER_LOCUST_BIN at an existing locust"
PYVER="$("$PYTHON" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')" \
  || die "$PYTHON does not run"
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
  || die "$PYTHON is Python $PYVER; the pinned requirements need Python >= 3.11 (set LOCUST_DRIVER_PYTHON)"

HASH="$(sha256sum "$REQ" | cut -d' ' -f1)"
WANT="$HASH $PYVER"

# A venv is tied to its path (scripts carry it in their #! line): a moved or copied one is rebuilt.
is_complete() {
  [ -f "$MARKER" ] && [ "$(cat "$MARKER")" = "$WANT" ] && [ -x "$VENV/bin/locust" ] \
    && [ "$(head -n 1 "$VENV/bin/locust")" = "#!$VENV/bin/python" ] && [ -x "$VENV/bin/python" ]
}

mkdir -p "$ROOT/.venv"
exec 9>"$ROOT/.venv/.locust-$VERSION.lock"
if command -v flock >/dev/null 2>&1; then
  flock -w 900 9 || die "timed out waiting for another install of Locust $VERSION (lock .venv/.locust-$VERSION.lock)"
fi

if ! is_complete; then
  echo "locust-venv: installing Locust $VERSION into .venv/locust-$VERSION with $PYTHON ($PYVER)" >&2
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV" >&2 \
    || die "'$PYTHON -m venv' failed: install venv support (Debian/Ubuntu: apt-get install python3-venv)"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$REQ" >&2 \
    || die "pip install -r locust/requirements-$VERSION.txt failed (see pip's errors above); PyPI must be reachable"
  got="$("$VENV/bin/locust" --version 2>&1)" || die "the installed locust does not run: $got"
  case "$got" in
    *"$VERSION"*) ;;
    *) die "installed locust reports '$got', expected $VERSION" ;;
  esac
  echo "$WANT" > "$MARKER"
  echo "locust-venv: done ($got)" >&2
fi

echo "$VENV/bin/locust"
