# Every target installs what it needs into .venv first; a finished install is skipped
# (the stamp is newer than pyproject.toml).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.voc-installed
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: install demo test bench clean

install: $(STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --upgrade pip
	# The CPU wheel first: an unpinned torch pulls several GB of CUDA builds.
	$(BIN)/python -m pip install torch==2.13.0
	$(BIN)/python -m pip install -e '.[dev,dask]'
	touch $@

demo: install
	$(BIN)/voc demo

# pytest exits 5 when it collected nothing: a run with no tests is a broken run.
test: install
	$(BIN)/python -m pytest -ra; status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test: pytest collected no tests" >&2; exit 1; fi; \
	exit $$status

bench: install
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) out .pytest_cache
