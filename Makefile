# Two commands do all set-up on a fresh machine: `make report` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
TORCH := torch==2.13.0

PIP := $(BIN)/pip install --disable-pip-version-check -q -c constraints.txt

.PHONY: install report test test-fast lint bench bench-quality bench-speed bench-report bench-names browser clean

install: $(STAMP)

# The torch pin goes in first: it takes the CPU wheel on disk instead of a multi-GB CUDA build.
# Everything else is the exact set in constraints.txt (pyproject.toml declares ranges).
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check -q $(TORCH)
	$(PIP) -e '.[dev]'
	touch $(STAMP)

report: $(STAMP)
	$(BIN)/topicmap report data/seed.txt -o reports/seed.html --export reports/seed.csv

# Headless Chromium for the browser tests, from Debian's packages when it is missing.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium chromium-driver >/dev/null; }

# Two processes (one a core on the 2-core CI machine), each test file whole in one of them so
# that a module's fitted fixtures are built once; the slowest tests are listed at the end.
test: $(STAMP) browser
	$(BIN)/python -m pytest -n 2 --dist loadfile --durations=40

# The quick loop while editing: no browser, no slow end-to-end runs.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadfile -m "not slow and not browser"

# Lint, format and types; CI runs this before the tests.
lint: $(STAMP)
	$(BIN)/ruff check analysis tests benchmarks data/bench
	$(BIN)/ruff format --check analysis tests benchmarks data/bench
	$(BIN)/mypy analysis

bench: bench-quality bench-speed bench-report bench-names

# Topic quality against BERTopic, EVoC and peers given the true k: benchmarks/results/quality.md
bench-quality: $(STAMP)
	$(PIP) -e '.[bench]'
	$(BIN)/python benchmarks/quality.py

# Topic names beside class-TF-IDF and KeyBERTInspired on the same topics: benchmarks/results/names.md
bench-names: $(STAMP)
	$(BIN)/python benchmarks/names.py

# A 100,000-item report: file size and paint time in Chromium: benchmarks/results/report.md
bench-report: $(STAMP) browser
	$(BIN)/python benchmarks/report_scale.py

# Speed at every size beside a raw PyTorch encode of the same items: benchmarks/results/speed.md
bench-speed: $(STAMP)
	$(BIN)/python benchmarks/speed.py

clean:
	rm -rf $(VENV) reports/*.html reports/*.csv
