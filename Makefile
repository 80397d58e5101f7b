# lexlab — one-command set-up, tests, demo, JupyterLab and the MLflow dashboard.
# Every target creates/refreshes the local virtualenv first (.venv), re-installing when pyproject.toml changes.

SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.lexlab-installed
# The CPU wheel of torch lies on disk; an unpinned torch would pull several GB of CUDA packages.
TORCH := torch==2.13.0
PIP := $(BIN)/python -m pip --disable-pip-version-check
QUIET := 2>&1 | { grep -v -e "is ignored: it is neither" -e "^\s*$$" || true; }
MLFLOW_DB := sqlite:///$(CURDIR)/mlruns/mlflow.db

.PHONY: setup test demo lab ui clean-work demo-retrieval bench notebooks screenshots review server

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "installing into $(VENV) (torch pinned to $(TORCH), data packages pinned)…"
	@$(PIP) install -q "$(TORCH)" $(QUIET)
	@$(PIP) install -q -e ".[lab,data,dev,morph,review]" "$(TORCH)" $(QUIET)
	@$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (lexlab)" >/dev/null
	@touch $@

setup: $(STAMP)

test: setup
	$(BIN)/python -m pytest

# Both papers (the LegalMidm pipeline, then the retrieval demo), then the fine-tuning guide's systems at demo size:
# clause extraction, cited outcome prediction, document review (then `make review`), judging (reads the demo's models).
DEMOS := legalmidm legalsearchlm clauses caselaw review judging
demo: setup
	@for d in $(DEMOS); do echo "== experiments/$${d}_demo.yaml"; $(BIN)/lexlab run experiments/$${d}_demo.yaml || exit 1; done

# One demo alone, e.g. `make demo-caselaw` (all but clauses need the snapshot the LegalMidm demo builds).
demo-%: setup
	$(BIN)/lexlab run experiments/$*_demo.yaml

# A shared MLflow tracking server (SQLite store under mlruns/server/, artifacts served) for `lexlab run --executor ray`.
server: setup
	$(BIN)/lexlab server

# The human review queue of the review demo (stage 14) on http://127.0.0.1:8765.
review: setup
	$(BIN)/lexlab review serve --name demo

# The retrieval half alone (needs the snapshot the LegalMidm demo builds).
demo-retrieval: demo-legalsearchlm

bench: setup
	$(BIN)/python benchmarks/fm_index.py

# After editing notebooks/src/*.py in an editor: rebuild the paired notebooks (JupyterLab saves both sides itself).
notebooks: setup
	$(BIN)/jupytext --sync notebooks/src/*.py

# Rooted at the repository (a positional path would override --notebook-dir): notebooks/, experiments/ and work/runs
# are all reachable; jupytext opens notebooks/src/*.py as notebooks.
lab: setup
	$(BIN)/jupyter lab --notebook-dir=$(CURDIR)

ui: setup
	@mkdir -p mlruns
	@echo "open http://127.0.0.1:5000/#/experiments?workflowType=machine_learning (MLflow's model-training view)"
	MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false $(BIN)/mlflow server --host 127.0.0.1 --port 5000 \
		--backend-store-uri $(MLFLOW_DB) --default-artifact-root $(CURDIR)/mlruns/artifacts

# After `make demo`: start the MLflow server (and JupyterLab), shoot the key pages with headless Chromium into
# work/screenshots/ (SHOTS=dir, SHOTS_ARGS=--lab for JupyterLab too), stop the servers. Needs Debian's chromium.
screenshots: setup
	PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/python tools/screenshots.py $(SHOTS) $(SHOTS_ARGS)

clean-work:
	rm -rf work
