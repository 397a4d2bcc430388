#!/bin/sh
# Idempotent set-up on Debian 12: system packages (as root), then .venv with the pinned
# Python packages and the `bantin` command. Run by `make setup` (and so by `make demo` and
# `make test`). Without root it prints exactly which Debian packages to install.
set -eu
cd "$(dirname "$0")/.."

APT_PACKAGES="tesseract-ocr tesseract-ocr-vie tesseract-ocr-script-viet fonts-dejavu-core fonts-dejavu-extra \
fonts-liberation2 fonts-freefont-ttf poppler-utils chromium chromium-driver \
libreoffice-writer-nogui redis-server python3-venv ca-certificates"

missing=""
for pkg in $APT_PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $pkg"
    fi
done
if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ]; then
        echo "setup: installing Debian packages:$missing"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        # shellcheck disable=SC2086
        apt-get install -y -qq --no-install-recommends $missing
    else
        echo "setup: these Debian packages are missing; install them as root, then run make again:" >&2
        echo "    sudo apt-get install -y$missing" >&2
        exit 3
    fi
fi

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    echo "setup: creating .venv with $($PYTHON --version)"
    "$PYTHON" -m venv .venv
fi
stamp=".venv/.requirements.sha256"
want="$(cat requirements.txt pyproject.toml | sha256sum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] || [ ! -x .venv/bin/bantin ]; then
    echo "setup: installing Python packages from requirements.txt"
    .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.txt
    .venv/bin/python -m pip install -q --disable-pip-version-check --no-deps -e .
    echo "$want" > "$stamp"
fi
echo "setup: ready ($(tesseract --version 2>&1 | head -1), languages: $(tesseract --list-langs 2>/dev/null | tail -n +2 | tr '\n' ' '))"
