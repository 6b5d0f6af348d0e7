# Every target sets up .venv first, so a fresh clone needs only Python 3.11+ and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
COMPARE_STAMP := $(VENV)/.compare-stamp
CONFIG ?= config.toml
EVAL   ?= ../shared/eval

.PHONY: help install test run crawl serve eval eval-gate bench bench-scale demo clean

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 14

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)  ## Create .venv and install the project with its test dependencies

$(COMPARE_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,compare]'
	touch $(COMPARE_STAMP)

test: $(STAMP)  ## Run the whole test suite
	$(BIN)/python -m pytest -q

run: $(STAMP)  ## Start the archiver with config.toml
	$(BIN)/scraper run --config $(CONFIG)

crawl: $(STAMP)  ## Discover and fetch every configured source once, then exit
	$(BIN)/scraper crawl --config $(CONFIG)

serve: $(STAMP)  ## Browse the archive in Datasette
	$(BIN)/scraper serve --config $(CONFIG)

demo: $(STAMP)  ## A tour with no internet: a local news site, the daemon for 150 s, then what it archived
	$(BIN)/python -m demo.tour

eval: $(COMPARE_STAMP)  ## Score the extractor on ../shared/eval beside trafilatura; exit 1 below a pinned floor
	$(BIN)/python -m scraper.evaluation $(EVAL) --compare trafilatura

eval-gate: $(STAMP)  ## The extraction regression gate alone (no trafilatura): exit 1 below a pinned floor
	$(BIN)/python -m scraper.evaluation $(EVAL)

bench: $(COMPARE_STAMP)  ## Benchmarks (~15 min; runs nginx, installs it if missing): extraction, ingest, revisit, daemon
	$(BIN)/python bench/bench_extract.py $(EVAL)
	$(BIN)/python bench/bench_ingest.py $(EVAL)
	$(BIN)/python bench/bench_daemon.py $(EVAL)

bench-scale: $(STAMP)  ## Benchmark the archive at 1,000,000 versions (long: see bench/bench_scale.py)
	$(BIN)/python bench/bench_scale.py $(EVAL)

clean:  ## Remove .venv and caches (never the archive)
	rm -rf $(VENV) .pytest_cache .hypothesis *.egg-info
