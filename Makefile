# Every target installs what it needs into .venv first, from the lock (requirements/lock.txt):
# the exact versions, with hashes, that CI tested. A finished install is skipped (the stamp is
# newer than the lock and pyproject.toml).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.voc-installed
LOCK   := requirements/lock.txt
# pip-tools for `make lock`, pinned so every refresh resolves the same way.
PIP_TOOLS := pip-tools==7.7.0
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: install demo test bench fuzz lock clean

install: $(STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# --no-deps: the lock already lists every dependency; pip check proves it is complete.
$(STAMP): $(LOCK) pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --require-hashes --no-deps -r $(LOCK)
	$(BIN)/python -m pip install --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check
	touch $@

demo: install
	$(BIN)/voc demo

# pytest exits 5 when it collected nothing: a run with no tests is a broken run. Two workers, one
# per core of the CI machine, each taking whole files (a module's fixtures are built once), in
# collection order: the long integration files first, so neither worker is left with one at the end.
test: install
	$(BIN)/python -m pytest -ra -n 2 --dist loadfile --no-loadscope-reorder; status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test: pytest collected no tests" >&2; exit 1; fi; \
	exit $$status

# Extraction per embedding model, then voc end to end against the naive pipeline (the 6,107 real
# documents, 1% of them held back for a second, incremental voc run; `bench/pipeline.py --docs 6107 29000`
# for the larger corpus).
bench: install
	$(BIN)/python bench/run.py
	$(BIN)/python bench/pipeline.py --docs 6107

# The fuzz tests for FUZZ_SECONDS in all (rounds of fresh examples per target): prints how many
# examples each target ran and every exception other than VocError, and fails if there was one.
FUZZ_SECONDS ?= 300
fuzz: install
	VOC_FUZZ_SECONDS=$(FUZZ_SECONDS) $(BIN)/python -m pytest -q -s -p no:cacheprovider tests/unit/test_fuzz.py

# Refresh the lock from pyproject.toml's ranges and requirements/pins.in, then run `make test`
# before committing both: the new set lands only when the whole suite passes on it.
lock:
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet "$(PIP_TOOLS)"
	.venv-lock/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
		--extra dev --extra dask --extra googleplay --no-emit-index-url --no-emit-find-links \
		--upgrade -o $(LOCK) pyproject.toml requirements/pins.in
	@echo "refreshed $(LOCK); now run 'make test' and commit the lock with what it needed"

clean:
	rm -rf $(VENV) .venv-lock out .pytest_cache
