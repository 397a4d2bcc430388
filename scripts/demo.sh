#!/bin/sh
# `make demo`: the sample archive (when scans/ is empty), built and served.
set -eu
cd "$(dirname "$0")/.."
HOME_DIR="${1:-$(pwd)}"
BANTIN=".venv/bin/bantin --home $HOME_DIR"
if $BANTIN sample --if-empty --size full; then :; fi
$BANTIN build || echo "demo: some pages failed; see '$BANTIN status'" >&2

# The web library: a secret key (kept in bantin.toml), a demo admin (its password kept in
# index/demo-login.txt, readable by the owner only, so later runs can print it), then serve.
$BANTIN secret
LOGIN_FILE="$HOME_DIR/index/demo-login.txt"
if [ ! -s "$LOGIN_FILE" ] || ! $BANTIN user list | grep -q '^demo '; then
    umask 077
    .venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(9))' > "$LOGIN_FILE"
    if $BANTIN user list | grep -q '^demo '; then UPDATE=--update; else UPDATE=; fi
    $BANTIN user add demo --role admin $UPDATE < "$LOGIN_FILE"
fi
echo "demo: đăng nhập (login) with user 'demo', password '$(cat "$LOGIN_FILE")'"
exec $BANTIN serve
