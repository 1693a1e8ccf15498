# filegate: every target is idempotent and says what it does. See README.md.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
ASSETS := plugins/filegate/ui/vendor/.fetched
BIN    := $(VENV)/bin
RUN    := $(BIN)/python

.PHONY: run test lint up down cluster cluster-down migrate migration env bench bench-smoke venv clean-state

run: venv ## the main job: ingest + reports for every dataset on the embedded stack, with a summary
	@$(RUN) -m filegate.ops.cli run

lint: venv ## ruff over the library, the DAGs, the tests and bench/; mypy over the library (both set in pyproject.toml)
	@$(BIN)/ruff check plugins dags tests bench
	@$(BIN)/mypy

TEST_WORKERS ?= 2
test: venv ## the whole test suite (what .ci/run calls), on TEST_WORKERS processes (pytest-xdist; 0: one)
	@echo "• running the test suite on $(TEST_WORKERS) processes" >&2
	@$(RUN) -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

up: venv ## airflow standalone on http://localhost:8080 against the embedded stack
	@$(RUN) -m filegate.ops.cli up

down: venv ## stop what `make up` / `make run` started
	@$(RUN) -m filegate.ops.cli down

cluster: venv ## distributed mode on loopback: PostgreSQL on TCP, Redis, Airflow's parts, FILEGATE_WORKERS Celery workers
	@$(RUN) -m filegate.ops.cli cluster

cluster-down: venv ## stop everything `make cluster` started, by PID
	@$(RUN) -m filegate.ops.cli cluster-down

migrate: venv ## create or upgrade the Airflow metadata DB and the warehouse schema
	@$(RUN) -m filegate.ops.cli migrate

bench: venv ## side-by-side benchmarks (minutes; results in bench/results/)
	@cd bench && ../$(BIN)/python convert_bench.py && ../$(BIN)/python load_bench.py \
		&& ../$(BIN)/python smrt_bench.py && ../$(BIN)/python convert_memory.py \
		&& ../$(BIN)/python housing_bench.py && ../$(BIN)/python wells_bench.py \
		&& ../$(BIN)/python events_bench.py && ../$(BIN)/python scale_bench.py && ../$(BIN)/python cluster_bench.py \
		&& ../$(BIN)/python arrival_bench.py

bench-smoke: venv ## every benchmark contender on tiny data (seconds; the test suite runs it too)
	@cd bench && ../$(BIN)/python convert_bench.py --smoke --work data/smoke/convert \
		&& ../$(BIN)/python load_bench.py --smoke --work data/smoke/load \
		&& ../$(BIN)/python smrt_bench.py --smoke --work data/smoke/smrt \
		&& ../$(BIN)/python housing_bench.py --smoke --work data/smoke/housing \
		&& ../$(BIN)/python wells_bench.py --smoke --work data/smoke/wells \
		&& ../$(BIN)/python events_bench.py --smoke --work data/smoke/events \
		&& ../$(BIN)/python scale_bench.py --smoke --work data/smoke/scale \
		&& ../$(BIN)/python cluster_bench.py --smoke --work data/smoke/cluster \
		&& ../$(BIN)/python arrival_bench.py --smoke --work data/smoke/arrival

migration: venv ## autogenerate a warehouse migration: make migration MESSAGE="add x" [DATASET=name]
	@$(RUN) -m filegate.ops.cli migration "$(MESSAGE)" $(if $(DATASET),--dataset $(DATASET))

env: venv ## print `export` lines for the airflow CLI on this environment: eval "$$(make -s env)"
	@$(RUN) -m filegate.ops.cli env

venv:
	@# one install at a time: two `make run` at once on a fresh clone must not both write the venv
	@flock $(VENV).lock $(MAKE) -s --no-print-directory $(BIN)/.installed $(ASSETS)

$(BIN)/.installed: requirements.txt pyproject.toml
	@# progress goes to stderr: stdout stays clean for `eval "$$(make -s env)"`
	@echo "• creating $(VENV) with $(PYTHON) and installing the pinned requirements (first time: a few minutes)" >&2
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) >&2
	@$(BIN)/python -m pip install --quiet --upgrade pip >&2
	@$(BIN)/python -m pip install --quiet -r requirements.txt >&2
	@# filegate itself, editable: its code stays in plugins/ (Airflow's plugins folder)
	@$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e . >&2
	@touch $@
	@echo "• $(VENV) ready" >&2

$(ASSETS): plugins/filegate/ui/assets.py $(BIN)/.installed
	@# the Data Docs' web assets, pinned, from the npm registry: the UI serves them, no CDN is called
	@$(RUN) -m filegate.ui.assets
	@touch $@

clean-state: down ## remove the state folder (embedded PostgreSQL, Airflow home, logs); data/ is kept
	rm -rf $${FILEGATE_STATE_DIR:-.filegate}
