#!/usr/bin/env bash
# Install the pinned npm tools (anvil, cast, solc) into tools/node_modules and link them into tools/bin.
# Run by make when tools/package*.json are newer than the stamp; fails loudly when npm does.
set -euo pipefail
cd "$(dirname "$0")/../tools"
if ! command -v npm >/dev/null 2>&1; then
  echo "setup: npm not found: install Node.js >= 20 with npm (anvil, cast and solc come from npm), then run make again" >&2
  exit 1
fi
echo "setup: installing pinned npm tools (anvil, cast, solc)" >&2
log=$(mktemp "${TMPDIR:-/tmp}/cusdep-npm-ci.XXXXXX")
if ! npm ci --no-audit --no-fund --loglevel=error >"$log" 2>&1; then
  grep -v 'Unknown user config' "$log" | tail -30 >&2 || true
  echo "setup: npm ci failed in tools/ (full log: $log); anvil, cast and solc are not installed" >&2
  exit 1
fi
grep -v 'Unknown user config' "$log" >&2 || true  # npm's own warnings, if any
rm -f "$log"
mkdir -p bin
ln -sf ../node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil bin/anvil
ln -sf ../node_modules/@foundry-rs/cast-linux-amd64/bin/cast bin/cast
ln -sf ../solc-shim.js bin/solc
chmod +x solc-shim.js
bin/anvil --version >/dev/null
bin/solc --version >/dev/null
touch node_modules/.installed
