# kgraph: `make run` builds outputs/ from the built-in corpus; `make test` runs the suite.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip

.PHONY: run install test-deps browser test screenshot bench clean vendor constraints

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

# constraints.txt pins every installed version (outputs/ is built with exactly these)
$(VENV)/.installed: pyproject.toml constraints.txt | $(VENV)/bin/python
	$(PIP) install -q -c constraints.txt -e .
	touch $@

install: $(VENV)/.installed

run: install
	$(VENV)/bin/kgraph build --out outputs --focus "Boltzmann,rationale,reasoning,flow"

# Debian's chromium for the browser tests (playwright drives it; `playwright install` cannot work here).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -q && $$SUDO apt-get install -y -q chromium chromium-driver; \
	fi

$(VENV)/.test-installed: pyproject.toml constraints.txt $(VENV)/.installed
	$(PIP) install -q -c constraints.txt -e '.[test]'
	touch $@

# after changing a dependency: install it into .venv, rebuild outputs/ (make run), then record the versions
constraints: $(VENV)/.test-installed
	{ sed -n '/^#/p' constraints.txt; $(PIP) freeze --exclude-editable; } > constraints.txt.new
	mv constraints.txt.new constraints.txt

test-deps: browser $(VENV)/.test-installed

test: test-deps
	$(PY) -m pytest -q

screenshot: install browser $(VENV)/.test-installed
	$(PY) -m kgraph.screenshot outputs/graph.html outputs/graph.png

# The explorer's JavaScript (sigma.js, graphology): the tarballs pinned in
# kgraph/templates/vendor/vendor.json, fetched from registry.npmjs.org and checked against their
# npm integrity (sha512); the files taken from them are committed, so installs never fetch them.
vendor:
	$(PYTHON) tools/vendor_js.py

# Peers (YAKE, TextRank, SGRank, textnets, scikit-learn) live in their own venv: textnets pins pandas 2.
# speed.py runs kgraph in .venv (as users install it) and textnets in .venv-bench.
BENCH := .venv-bench
$(BENCH)/.installed: pyproject.toml
	$(PYTHON) -m venv $(BENCH)
	$(BENCH)/bin/pip install -q -e '.[bench]'
	touch $@

bench: install $(BENCH)/.installed
	$(BENCH)/bin/python benchmarks/keyphrases.py ../shared/data/keyphrases_inspec_dev.jsonl
	$(BENCH)/bin/python benchmarks/links.py ../shared/data/links_arxiv_dev.jsonl
	$(BENCH)/bin/python benchmarks/speed.py

clean:
	rm -rf $(VENV) $(BENCH) build *.egg-info .pytest_cache
