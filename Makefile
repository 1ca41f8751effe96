# lstm-explain: the two commands a newcomer needs are `make lab` and `make test`.
VENV    ?= .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed
PORT    ?= 8866
PYTEST_FLAGS ?= -n 2 --dist loadscope
# Portability: the notebooks are stored by `make notebooks` under this machine's default numerics;
# `make test` checks them under other numerics, as another learner's laptop would run them: one
# thread, ATen's scalar kernels instead of AVX2/AVX-512, MKL's conditional-reproducibility mode and
# oneDNN limited to SSE4.1. Float rounding then changes in the last bits, so a stored output that
# depends on rounding (or an assertion on bit-exactness) fails here as it would for a learner.
# `make test-numerics` runs the whole suite under two more settings (NUMERICS_B, NUMERICS_C).
NUMERICS   ?= OMP_NUM_THREADS=1 ATEN_CPU_CAPABILITY=default MKL_CBWR=COMPATIBLE ONEDNN_MAX_CPU_ISA=SSE41
NUMERICS_B ?= OMP_NUM_THREADS=2 ATEN_CPU_CAPABILITY=default MKL_CBWR=SSE4_2 ONEDNN_MAX_CPU_ISA=AVX
NUMERICS_C ?= OMP_NUM_THREADS=1 MKL_CBWR=AVX ONEDNN_MAX_CPU_ISA=AVX2
NBVAL   := --nbval --nbval-current-env --nbval-sanitize-with notebooks/sanitize.cfg
# Jupyter refuses to start as root (containers, CI) unless told it may
ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)

.PHONY: setup lab test test-numerics nbcheck-stability unit nbtest lint format browser-deps fonts-deps app notebooks i18n notebooks-zh bench cheatsheet clean

## setup: create .venv/ and install the package with everything it needs (CPU torch here)
setup: $(STAMP)

$(STAMP): pyproject.toml tools/install_torch.sh
	@test -x $(PY) || python3 -m venv $(VENV)
	@bash tools/install_torch.sh $(PY)
	$(PY) -m pip install -q -e ".[test]"
	@touch $(STAMP)

## lab: the main job: JupyterLab on notebooks/
lab: setup fonts-deps
	$(VENV)/bin/jupyter lab --ServerApp.root_dir=notebooks $(ROOT_FLAG)

## test: lint, unit tests, browser tests (the app, the docs site) and nbval over every notebook, under other numerics
test: setup browser-deps fonts-deps docs
	$(VENV)/bin/ruff check lstm_explain tests benchmarks tools
	env $(NUMERICS) $(PY) -m pytest $(PYTEST_FLAGS) $(NBVAL) tests notebooks

## test-numerics: the whole suite under two more numeric settings (portability check, ~2x make test)
test-numerics: setup browser-deps fonts-deps
	env $(NUMERICS_B) $(PY) -m pytest $(PYTEST_FLAGS) $(NBVAL) tests notebooks
	env $(NUMERICS_C) $(PY) -m pytest $(PYTEST_FLAGS) $(NBVAL) tests notebooks

## nbcheck-stability: nbval three times in a row, each notebook in a fresh kernel (no flaky cells)
nbcheck-stability: setup
	$(PY) tools/check_stability.py --runs 3 -- env $(NUMERICS) $(PY) -m pytest $(PYTEST_FLAGS) $(NBVAL) notebooks

unit: setup
	$(PY) -m pytest $(PYTEST_FLAGS) tests

nbtest: setup
	env $(NUMERICS) $(PY) -m pytest $(PYTEST_FLAGS) $(NBVAL) notebooks

lint: setup
	$(VENV)/bin/ruff check lstm_explain tests benchmarks tools
	$(VENV)/bin/ruff format --check lstm_explain tests benchmarks tools

format: setup
	$(VENV)/bin/ruff format lstm_explain tests benchmarks tools
	$(VENV)/bin/ruff check --fix lstm_explain tests benchmarks tools

## browser-deps: Debian's headless Chromium for the browser test (Playwright cannot download one here)
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	  else echo "note: the browser test needs Chromium: sudo apt-get install chromium chromium-driver"; fi; }

## fonts-deps: a CJK font, so matplotlib draws the Chinese course's figures (Debian: fonts-noto-cjk;
## macOS and Windows have system fonts). Clears matplotlib's font cache so it sees the new font.
fonts-deps:
	@fc-list 2>/dev/null | grep -qi -e "CJK" -e "WenQuanYi" || [ "$$(uname)" != Linux ] || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null \
	    && rm -f $${MPLCONFIGDIR:-$$HOME/.cache/matplotlib}/fontlist-*.json; \
	  else echo "note: Chinese figures need a CJK font: sudo apt-get install fonts-noto-cjk"; fi; }

## i18n: extract the notebooks' markdown and the package's _() strings into the .po catalogs
## (translations kept, changed English marked fuzzy), then list what is left (exit 1 if anything)
i18n: setup
	$(PY) tools/i18n_notebooks.py extract
	$(PY) tools/i18n_notebooks.py check

## notebooks-zh: build the Chinese twins notebooks/zh_CN/ from the catalogs, then execute and store them
notebooks-zh: setup fonts-deps
	$(PY) tools/i18n_notebooks.py build
	$(PY) tools/execute_notebooks.py $$(find notebooks/zh_CN -name '*.ipynb' -not -path '*/.ipynb_checkpoints/*' | sort)

## app: the classroom explorer alone, served by Voila on 127.0.0.1 (offline: the "classroom"
## template in notebooks/apps/share loads nothing from a CDN); add ?scale=1.5 to the URL for a projector
app: setup
	JUPYTER_PATH=notebooks/apps/share $(VENV)/bin/voila notebooks/apps/classroom_explorer.ipynb \
	  --template=classroom --Voila.ip=127.0.0.1 --port=$(PORT)

## notebooks: re-execute and store every notebook (Restart & Run All, in order)
notebooks: setup
	$(PY) tools/execute_notebooks.py

## cheatsheet: the one-page shapes-and-indexing sheet, generated and checked: build/cheatsheet/cheatsheet.{pdf,png}
cheatsheet: setup
	$(PY) -m lstm_explain.cheatsheet --out build/cheatsheet $(if $(PAPER),--paper $(PAPER))

## docs: the documentation site into build/docs/ (open build/docs/index.html); offline once build/vendor/ is filled
.PHONY: docs docs-gettext
docs: setup
	$(PY) tools/build_docs.py

## docs-gettext: the site's message catalogs (.pot) into build/docs-gettext/, for translators
docs-gettext: setup
	$(PY) tools/build_docs.py --gettext

## bench: every benchmark script; each prints JSON
bench: setup
	@for f in benchmarks/*.py; do echo "== $$f"; $(PY) $$f; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis artifacts
