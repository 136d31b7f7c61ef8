# Two commands for learners:  `make lab`  and  `make test`  (see README.md).
PYTHON  ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
PROFILE ?= ci

# Two CPU threads per framework: predictable on a 2-core CI machine and on a laptop.
THREADS := OMP_NUM_THREADS=2 OMP_WAIT_POLICY=PASSIVE MKL_NUM_THREADS=2 TF_NUM_INTRAOP_THREADS=2 TF_NUM_INTEROP_THREADS=1
QUIET   := TF_CPP_MIN_LOG_LEVEL=2 PYTHONWARNINGS=ignore::DeprecationWarning

.PHONY: setup lab test unit notebooks lint clean

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is needed, found " + sys.version.split()[0]'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check -r requirements.txt
	touch $(STAMP)

# Root (containers, cloud VMs) needs --allow-root; nobody else does.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: setup
	$(BIN)/jupyter lab notebooks/ $(ALLOW_ROOT)

test: setup
	$(THREADS) $(QUIET) COURSE_OFFLINE=1 COURSE_PROFILE=$(PROFILE) \
		$(BIN)/python -m pytest tests notebooks --nbval-lax --nbval-current-env \
		--nbval-sanitize-with tests/nbval_sanitize.cfg --cov=course_utils --cov-report=term

unit: setup
	$(THREADS) $(QUIET) COURSE_OFFLINE=1 $(BIN)/python -m pytest tests

notebooks: setup
	$(THREADS) $(QUIET) COURSE_OFFLINE=1 COURSE_PROFILE=$(PROFILE) \
		$(BIN)/python -m pytest notebooks --nbval-lax --nbval-current-env \
		--nbval-sanitize-with tests/nbval_sanitize.cfg

lint: setup
	$(BIN)/ruff check course_utils tests benchmarks datasets

clean:
	rm -rf $(VENV) .pytest_cache .coverage
