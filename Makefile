# Two commands for a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HTMX := app/static/vendor/htmx.min.js
PDFJS := app/static/vendor/pdfjs/pdf.min.mjs
VEGA := app/static/vendor/vega/vega-embed.min.js
SWAGGER := app/static/vendor/swagger-ui/swagger-ui-bundle.js
# Debian packages the browser tests need (Chromium driven by Playwright, no download of its own).
TEST_DEBS := chromium fonts-dejavu-core
# Debian packages the app needs: Cairo, through which CairoSVG turns the PRISMA diagram into PNG
# and PDF, and the font the diagram names first.
APP_DEBS := libcairo2 fonts-dejavu-core

.PHONY: run test install install-test static browser cairo debs postgres clean

run: install static
	$(BIN)/winnow db upgrade
	$(BIN)/winnow serve

test: install-test static browser postgres
	$(BIN)/pytest

install: $(VENV)/.installed cairo
install-test: $(VENV)/.installed-test cairo

cairo:
	@ldconfig -p 2>/dev/null | grep -q 'libcairo\.so\.2' || $(MAKE) --no-print-directory debs DEBS="$(APP_DEBS)"

$(VENV)/bin/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Winnow needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml $(VENV)/bin/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/bin/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

# htmx, PDF.js, Vega (vega, vega-lite, vega-embed: the charts) and Swagger UI (the /docs page) come
# from their npm packages, pinned in package-lock.json, and are served from Winnow's own static
# folder: no CDN, so it works on offline networks. PDF.js's optional dependencies (a canvas for
# Node) are for running it outside a browser: left out.
static: $(HTMX) $(PDFJS) $(VEGA) $(SWAGGER)

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || $(MAKE) --no-print-directory debs DEBS="nodejs npm"
	npm ci --ignore-scripts --omit=optional --no-audit --no-fund --loglevel=error
	touch $@

$(HTMX): node_modules/.installed
	mkdir -p $(dir $@)
	cp node_modules/htmx.org/dist/htmx.min.js $@

$(PDFJS): node_modules/.installed
	mkdir -p $(dir $@)
	cp node_modules/pdfjs-dist/build/pdf.min.mjs node_modules/pdfjs-dist/build/pdf.worker.min.mjs \
		node_modules/pdfjs-dist/web/pdf_viewer.css $(dir $@)

# The charts: Vega-Lite specifications drawn by vega-embed; the same versions as vl-convert's,
# so a chart on the page and its SVG or PNG download come out alike.
$(VEGA): node_modules/.installed
	mkdir -p $(dir $@)
	cp node_modules/vega/build/vega.min.js node_modules/vega-lite/build/vega-lite.min.js \
		node_modules/vega-embed/build/vega-embed.min.js $(dir $@)

$(SWAGGER): node_modules/.installed
	mkdir -p $(dir $@)
	cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css $(dir $@)

browser:
	@command -v chromium >/dev/null || $(MAKE) --no-print-directory debs DEBS="$(TEST_DEBS)"

# Installs Debian packages when we may (root, or passwordless sudo); otherwise
# says what to install. The tests then skip what needs them, except under CI=true.
debs:
	@if [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(DEBS) >/dev/null; \
	elif sudo -n true 2>/dev/null; then \
		sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(DEBS) >/dev/null; \
	else \
		echo "Please install these Debian packages: $(DEBS)  (sudo apt-get install $(DEBS))"; \
		[ "$$CI" != true ]; \
	fi

# The PostgreSQL half of the suite needs a server at 127.0.0.1:5432; start the
# machine's own cluster if it is installed but stopped.
postgres:
	@if command -v pg_isready >/dev/null && ! pg_isready -q -h 127.0.0.1 -p 5432; then \
		if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then \
			pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | head -1) main start || true; \
		fi; \
	fi

clean:
	rm -rf $(VENV) node_modules app/static/vendor
