#!/bin/sh
# `make demo`: the sample archive (when scans/ is empty), built and served.
set -eu
cd "$(dirname "$0")/.."
HOME_DIR="${1:-$(pwd)}"
BANTIN=".venv/bin/bantin --home $HOME_DIR"
if $BANTIN sample --if-empty --size full; then :; fi
$BANTIN build || echo "demo: some pages failed; see '$BANTIN status'" >&2
