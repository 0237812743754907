#!/usr/bin/env bash
# Installs code-server (real VS Code, Node extension host) into a cache folder outside the repo,
# without any download other than the npm registry. See ../shared/E2E.md for why each step exists.
# Usage: scripts/install-code-server.sh   (prints the folder; reuses it when already installed)
set -euo pipefail
VERSION="${CODE_SERVER_VERSION:-4.100.3}"
CACHE="${NNLENS_CACHE:-$HOME/.cache/nn-lens}"
DIR="$CACHE/code-server-$VERSION"
BIN="$DIR/node_modules/code-server/out/node/entry.js"
if [ -f "$BIN" ] && [ -f "$DIR/.complete" ]; then echo "$DIR"; exit 0; fi
command -v rg >/dev/null || { echo "ripgrep (rg) is required: apt-get install -y ripgrep" >&2; exit 1; }
rm -rf "$DIR"; mkdir -p "$DIR"
# @vscode/ripgrep downloads rg from GitHub unless it finds this cached archive.
export TMPDIR="${TMPDIR:-/tmp}"
RGCACHE="$TMPDIR/vscode-ripgrep-cache-1.15.11"
mkdir -p "$RGCACHE"
RGTAR="$RGCACHE/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
if [ ! -f "$RGTAR" ]; then
  tmp=$(mktemp -d); cp "$(command -v rg)" "$tmp/rg"; tar -czf "$RGTAR" -C "$tmp" rg; rm -rf "$tmp"
fi
cd "$DIR"
# npm >= 11.16 blocks dependency install scripts unless allowed; code-server needs them (native modules).
cat > package.json <<JSON
{ "name": "nn-lens-code-server", "private": true, "version": "0.0.0" }
JSON
export npm_config_unsafe_perm=true npm_config_yes=true
# Fetch without scripts, approve them where this npm has the approval gate, then run them all.
npm install --no-audit --no-fund --ignore-scripts "code-server@$VERSION" >&2
if npm help install-scripts >/dev/null 2>&1; then npm install-scripts approve --all >&2; fi
npm rebuild --foreground-scripts >&2 || { echo "code-server install scripts failed (see npm log above)" >&2; exit 1; }
[ -f "$BIN" ] || { echo "code-server entry point missing after install: $BIN" >&2; exit 1; }
touch "$DIR/.complete"
echo "$DIR"
