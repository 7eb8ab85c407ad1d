# Two commands do everything on a fresh Debian machine: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Test processes: the suite runs in two (pytest-xdist), so it fits its 15 minutes on a 2-core CI machine.
# `TEST_WORKERS=0 make test` runs it in one process. The slowest tests are listed at the end, to keep that budget in
# sight (`make test TEST_DURATIONS=0` lists every test).
TEST_WORKERS ?= 2
TEST_DURATIONS ?= 15

.PHONY: run test setup system-deps bench eval train-digits samples clean

$(STAMP): requirements.txt requirements-dev.txt requirements-build.txt pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-build.txt -r requirements-dev.txt
	$(BIN)/pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

system-deps:
	@scripts/ensure-system-deps.sh

setup: system-deps $(STAMP)

run: setup
	$(BIN)/grader serve --host $(HOST) --port $(PORT) --demo --demo-class

test: setup
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile --durations=$(TEST_DURATIONS)

bench: setup
	$(BIN)/grader bench --load --batch 100

eval: setup
	$(BIN)/grader eval

# Writes a candidate to build/digits-model; it replaces grader/models only once it passes the field-level check
# (training/README.md, "Reproduce").
train-digits: setup
	$(BIN)/pip install -q -r requirements-train.txt
	$(BIN)/python -m training.train_digits
	@echo "candidate in build/digits-model: check it with grader eval --digits-model build/digits-model (training/README.md)"

samples: setup
	$(BIN)/grader synth --out sample_scans --count 22 --refusals 10 --seed 2041 --mistakes 0.5 --max-megapixels 3 -j 2

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
