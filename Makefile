# The two commands of the README. Both set up the environment first (idempotent, seconds once done).
VENV ?= $(or $(QA_VENV),.venv)
# the environment scripts/setup makes is the one the targets run
export QA_VENV := $(VENV)
QUESTION ?= What was Alibaba's net income in the quarter ended December 2024?

.PHONY: setup setup-test demo test test-fast bench
## The core: what ingest, search, ask, chat, serve and eval need. EXTRAS adds extras: make setup EXTRAS="scale".
setup:
	@scripts/setup $(EXTRAS)

## The core and every extra (test takes scale and report), and Chromium: what CI needs.
setup-test:
	@scripts/setup test bench

## Build the index of the bundled corpus and answer a sample question.
demo: setup
	$(VENV)/bin/qa ingest corpus
	$(VENV)/bin/qa ask "$(QUESTION)"

## The whole test suite, then the answer-accuracy gates on our own set, SQuAD 2.0 and TAT-QA (what CI runs),
## each leaving its report in eval/reports/ as JSON and as a page to open (qa report renders it again).
test: setup-test
	$(VENV)/bin/pytest --durations=20
	$(VENV)/bin/qa eval --json-out eval/reports/latest.json --html eval/reports/latest.html
	@if [ -d "$${QA_DATA:-../shared/data}" ]; then \
		$(VENV)/bin/qa eval --external squad --json-out eval/reports/squad.json --html eval/reports/squad.html && \
		$(VENV)/bin/qa eval --external tatqa --json-out eval/reports/tatqa.json --html eval/reports/tatqa.html; \
	else echo "skipped the SQuAD and TAT-QA gates: $${QA_DATA:-../shared/data} is absent"; fi
	@if [ -d "$${QA_DATA:-../shared/data}/financebench" ]; then \
		$(VENV)/bin/qa eval --external financebench --json-out eval/reports/financebench.json \
			--html eval/reports/financebench.html; \
	else echo "skipped the FinanceBench gate: $${QA_DATA:-../shared/data}/financebench is absent"; fi

## The speed benchmarks of benchmarks/README.md (about 35 minutes in all; not part of CI).
bench:
	@scripts/setup bench
	$(VENV)/bin/python benchmarks/ingest.py
	$(VENV)/bin/python benchmarks/search.py
	$(VENV)/bin/python benchmarks/answer.py

## Unit tests only: no local LLM.
test-fast: setup-test
	$(VENV)/bin/pytest -m "not slow"
