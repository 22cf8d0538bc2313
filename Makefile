# MLOps course: every workflow is a target. `make` (or `make help`) lists them.
# Targets follow the instructor's workflow: setup -> data -> notebooks -> release ->
# examples -> autograde -> feedback -> grades. Each works from any state of build/.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(CURDIR)/$(VENV)/bin
STAMP  := $(VENV)/.installed
# Week 11's Apache Airflow 3 lives in an environment of its own (its pins conflict with the lock's fastapi).
AIRFLOW_VENV := .venv-airflow
COURSE := $(BIN)/python -m mlops_course

# nbgrader runs alembic and MLflow runs uvicorn as subprocesses: the venv must be on PATH.
export PATH := $(BIN):$(PATH)
# Third-party telemetry off (MLflow, Evidently and tools honouring DO_NOT_TRACK).
export DO_NOT_TRACK := true
export MLFLOW_DISABLE_TELEMETRY := true
export DVC_NO_ANALYTICS := 1
export TF_CPP_MIN_LOG_LEVEL := 2
export PIP_DISABLE_PIP_VERSION_CHECK := 1

WEEK ?=
WEEK_ARG := $(if $(WEEK),--week $(WEEK),)
PYTEST_WORKERS ?= 2

.PHONY: help setup data notebooks check-notebooks release examples collect-zip autograde feedback \
        grades report course lab hub-setup hub-software hub system-deps test test-fast test-notebooks test-grading \
        test-browser test-hub bench lock clean

help: ## list the targets
	@echo "MLOps course -- make <target> [WEEK=NN]"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | awk -F'\t' '{printf "  %-16s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing the course environment into $(VENV) (first time: a few minutes)..."
	@$(BIN)/python -m pip install --quiet --upgrade pip 2>&1 | grep -v '^WARNING: Location' || true
	@set -o pipefail; $(BIN)/python -m pip install --quiet -r requirements.lock -e ".[test]" 2>&1 | grep -v '^WARNING: Location' || exit 1
	@touch $(STAMP)
	@echo "Environment ready: $(VENV)"

$(AIRFLOW_VENV)/.installed: $(STAMP) mlops_course/airflow.lock
	@MLOPS_AIRFLOW_VENV=$(CURDIR)/$(AIRFLOW_VENV) $(BIN)/python -c "from mlops_course.pipeline import ensure_airflow; ensure_airflow()"
	@echo "Airflow ready: $(AIRFLOW_VENV)"

setup: $(STAMP) $(AIRFLOW_VENV)/.installed ## create or update .venv (requirements.lock) and .venv-airflow (week 11's Airflow)

data: setup ## rebuild data/*.csv and data/manifest.json offline
	$(BIN)/python data/build_data.py

notebooks: setup ## clear outputs of sources; regenerate notebooks/ from solutions/
	$(COURSE) notebooks

check-notebooks: setup ## fail if notebooks/ drifted from solutions/
	$(COURSE) notebooks --check

release: setup ## nbgrader release of the quizzes + build/student_release/
	$(COURSE) release $(WEEK_ARG)

examples: release ## generate the example submissions into build/submitted/
	$(COURSE) examples $(WEEK_ARG)

collect-zip: setup ## import an LMS zip (Canvas, Moodle): ZIP=export.zip [WEEK=NN] [ROSTER=roster.csv]
	@test -n "$(ZIP)" || { echo "usage: make collect-zip ZIP=path/to/export.zip [WEEK=NN] [ROSTER=roster.csv]"; exit 2; }
	$(COURSE) collect-zip --zip "$(abspath $(ZIP))" $(WEEK_ARG) $(if $(ROSTER),--roster "$(abspath $(ROSTER))",)

autograde: setup ## autograde build/submitted/; report problems per student
	$(COURSE) autograde $(WEEK_ARG)

feedback: setup ## feedback HTML (no hidden tests) in build/feedback/
	$(COURSE) feedback $(WEEK_ARG)

grades: setup ## export grades to build/grades.csv (+ grades_canvas.csv, grades_moodle.csv with a roster)
	$(COURSE) grades $(if $(ROSTER),--roster "$(abspath $(ROSTER))",)

report: setup ## item analysis: build/reports/index.html and CSV files
	$(COURSE) report

COURSE_STEPS := data notebooks release examples autograde feedback grades report

course: setup ## the main job: data, notebooks, release, grade the example submissions
	@set -e; n=0; total=$(words $(COURSE_STEPS)); for step in $(COURSE_STEPS); do \
	  n=$$((n + 1)); echo "==> step $$n of $$total: make $$step"; $(MAKE) --no-print-directory $$step; done
	@echo
	@echo "Done. Student release: build/student_release/   nbgrader release: build/release/"
	@echo "      Feedback: build/feedback/   Grades: build/grades.csv   Item analysis: build/reports/index.html"

lab: setup ## JupyterLab with the nbgrader extensions (formgrader uses grader_config.py)
	$(BIN)/jupyter lab --ip=127.0.0.1 --no-browser --LabApp.news_url=None \
	    --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate --config=$(CURDIR)/grader_config.py \
	    $(if $(filter 0,$(shell id -u)),--allow-root,)

HUB_PORT ?= 8000
HUB_EXCHANGE ?= /srv/nbgrader/exchange

hub-setup: setup ## as root: JupyterHub environment in /opt/mlops-course, proxy, Unix users, nbgrader exchange
	$(COURSE) hub-setup --exchange $(HUB_EXCHANGE)

hub: hub-setup ## a local JupyterHub for the class on 127.0.0.1 (HUB_PORT=8000) with nbgrader's exchange (Ctrl-C stops it)
	$(COURSE) hub --port $(HUB_PORT) --exchange $(HUB_EXCHANGE)

system-deps: ## Debian packages for grading isolation, browser and gradebook tests (bubblewrap, chromium, postgresql)
	@missing=""; command -v bwrap >/dev/null || missing="$$missing bubblewrap"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing$$missing with apt-get..."; \
	  (apt-get install -y -qq $$missing || (apt-get update -qq && apt-get install -y -qq $$missing)) >/dev/null; \
	else echo "Missing system packages:$$missing -- install them (e.g. sudo apt-get install$$missing);" \
	  "without bubblewrap, grading runs unisolated and the isolation and browser tests fail;" \
	  "without postgresql, the PostgreSQL gradebook test is skipped."; fi

hub-software: setup ## as root: the hub's environment and proxy only (`make test` needs them for the hub test)
	@if [ "$$(id -u)" = 0 ]; then $(COURSE) hub-setup --software-only; \
	else echo "not root: the course hub's software is not installed and the hub test will be skipped"; fi

test: setup system-deps hub-software ## the whole test suite, in parallel (WEEK=NN for one week)
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup --durations=15 $(if $(WEEK),-k "$(WEEK)",)

test-fast: setup ## package, data and environment tests only (seconds)
	$(BIN)/python -m pytest -m "not notebook and not grading and not browser and not hub"

test-notebooks: setup ## execute every notebook (WEEK=NN for one week)
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) -m notebook $(if $(WEEK),-k "$(WEEK)",)

test-grading: setup system-deps ## release, examples, hostile submissions, autograde, feedback, report
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup -m grading $(if $(WEEK),-k "$(WEEK)",)

test-browser: setup system-deps ## JupyterLab in headless Chromium (screenshots in build/browser/)
	$(BIN)/python -m pytest -m browser

test-hub: setup hub-setup ## the class on a real JupyterHub: release, fetch, submit, collect, grade, feedback (root)
	$(BIN)/python -m pytest -m hub

bench: setup ## time every notebook against its budget (median of 3 runs)
	$(COURSE) bench $(WEEK_ARG)

lock: ## refresh requirements.lock from the current .venv
	@{ echo "# Exact versions of the course environment (Python 3.11, Linux x86_64), tested together."; \
	   echo "# Regenerate with 'make lock' after changing pyproject.toml."; \
	   $(BIN)/python -m pip freeze | grep -v -E '^(-e |mlops-course)'; } > requirements.lock

clean: ## remove build/ (keeps .venv)
	rm -rf build .pytest_cache
	find . -name __pycache__ -not -path './$(VENV)/*' -prune -exec rm -rf {} +
