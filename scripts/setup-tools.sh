#!/usr/bin/env bash
# Install the pinned npm tools (anvil, cast, solc) into tools/node_modules and link them into tools/bin.
set -euo pipefail
cd "$(dirname "$0")/../tools"
echo "setup: installing pinned npm tools (anvil, cast, solc)" >&2
npm ci --no-audit --no-fund --loglevel=error 2>&1 | grep -v 'Unknown user config' || true
mkdir -p bin
ln -sf ../node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil bin/anvil
ln -sf ../node_modules/@foundry-rs/cast-linux-amd64/bin/cast bin/cast
ln -sf ../solc-shim.js bin/solc
chmod +x solc-shim.js
bin/anvil --version >/dev/null
bin/solc --version >/dev/null
touch node_modules/.installed
