# Two commands do everything on a fresh Debian 12 machine (see README):
#   make demo   installs what is missing, builds the sample archive and serves it
#   make test   installs what is missing and runs the test suite
.PHONY: setup demo test check bench bench-deps lint clean-index

BANTIN = .venv/bin/bantin
PYTHON = .venv/bin/python
HOME_DIR ?= $(CURDIR)

setup:
	@sh scripts/setup.sh

demo: setup
	@sh scripts/demo.sh "$(HOME_DIR)"

test: setup check
	$(PYTHON) -m pytest -n 2 --timeout 600 -q

# Static checks, also run by `make test` (and so by CI): any finding fails the build.
PACKAGES = archive indexer webapp review samplegen bantin
check: setup
	$(PYTHON) -m ruff check $(PACKAGES) tests bench
	$(PYTHON) -m mypy $(PACKAGES)

bench-deps: setup
	@command -v ocrmypdf >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq ocrmypdf; } || \
		{ echo "install Debian's ocrmypdf: sudo apt-get install -y ocrmypdf" >&2; exit 3; }

bench: bench-deps
	$(PYTHON) bench/ocr.py

lint: check

clean-index:
	rm -rf index/search index/cache
