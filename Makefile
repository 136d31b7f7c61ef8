# Two commands for learners:  `make lab`  and  `make test`  (see README.md).
# For instructors: `make site`, `make student`, `make data`.
PYTHON  ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
PROFILE ?= ci

# Two CPU threads: predictable on a 2-core CI machine and on a laptop. TensorFlow runs
# one thread per operation, two operations at once (faster for recurrent layers; the
# measurements are in course_utils/config.py, CPU_THREADS, which must match this line).
THREADS := OMP_NUM_THREADS=2 MKL_NUM_THREADS=2 TF_NUM_INTRAOP_THREADS=1 TF_NUM_INTEROP_THREADS=2
# TensorFlow on a CPU: hide its GPU-probe and start-up notices (level 3 also hides the
# "failed call to cuInit" line, which is harmless without a GPU).
QUIET   := TF_CPP_MIN_LOG_LEVEL=3 PYTHONWARNINGS=ignore::DeprecationWarning
NBVAL   := --nbval-lax --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg
# `make test` runs JOBS notebooks (and test files) at once, each notebook in its own kernel
# (pytest-xdist; a notebook's cells stay together, in order, longest notebook first: see
# conftest.py). A small recurrent network keeps about one core busy, so two notebooks on two
# cores finish sooner than one after the other. JOBS=1: one at a time.
JOBS    ?= 2
PARALLEL := $(if $(filter-out 1,$(JOBS)),-n $(JOBS) --dist loadfile --no-loadscope-reorder)
# Processes sharing the cores: PyTorch's threads sleep while they wait, rather than spin
# (config.SHARED_CORES, which must match this line; `make lab`, one process, spins).
SHARED  := $(if $(filter-out 1,$(JOBS)),OMP_WAIT_POLICY=PASSIVE)
RUN     := $(THREADS) $(SHARED) $(QUIET) COURSE_OFFLINE=1
# `ci` and the full-size smoke run are sized for the data that ships with the course: their
# runs look away from data you downloaded (`make data`) or pointed to (COURSE_DATA_DIR).
SHIPPED := COURSE_DATA_DIR= COURSE_CACHE_DIR=$(CURDIR)/_build/no-downloads
CI_DATA := $(if $(filter ci,$(PROFILE)),$(SHIPPED))
# The Keras-on-PyTorch run hides TensorFlow, as on a machine without it (requirements-torch.txt).
NO_TF   := PYTHONPATH=$(CURDIR)/tools/without_tensorflow KERAS_BACKEND=torch

.PHONY: setup lab test unit notebooks site student grade data lint clean

setup: $(STAMP)

# --no-compile: Python compiles each module the first time it is imported, so pip need not
# compile all ~20,000 files of the install first (about a minute on 2 cores).
$(STAMP): requirements.txt requirements-torch.txt pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is needed, found " + sys.version.split()[0]'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check --no-compile -r requirements.txt
	touch $(STAMP)

# Root (containers, cloud VMs) needs --allow-root; nobody else does.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: setup
	$(THREADS) $(QUIET) $(BIN)/jupyter lab notebooks/ $(ALLOW_ROOT)

# Everything CI checks (9½ to 10 minutes on 2 cores, installing included), in four steps:
#  1. every notebook in PROFILE (default ci) with nbval, on TensorFlow; the executed copies
#     are kept in _build/executed/PROFILE for the site;
#  2. the student copies (no solutions) at `full` model sizes, a few steps each on ci data
#     (COURSE_PROFILE=full COURSE_SMOKE=1), on Keras' PyTorch backend with TensorFlow hidden:
#     a GPU's sizes and install, and exercises that do not need their solutions;
#  3. the site, from the runs of step 1 (nothing re-executes);
#  4. the unit tests, the README-vs-results/ check and the site in headless Chromium.
# What the ci profile claims holds on both Keras backends over five seeds: benchmarks/seed_sweep.py
# (README, "The same on every machine"); `KERAS_BACKEND=torch make notebooks` runs step 1 on PyTorch.
test: setup
	@echo "== 1/4 notebooks, $(PROFILE) profile (nbval, TensorFlow backend)"
	$(RUN) $(CI_DATA) COURSE_PROFILE=$(PROFILE) $(BIN)/python -m pytest notebooks $(NBVAL) $(PARALLEL) \
		-p tools.nbval_save --nbval-save _build/executed/$(PROFILE)
	@echo "== 2/4 student notebooks at full model sizes on ci data (COURSE_PROFILE=full COURSE_SMOKE=1), Keras on PyTorch, TensorFlow hidden"
	$(BIN)/python tools/make_student.py
	$(RUN) $(SHIPPED) $(NO_TF) COURSE_PROFILE=full COURSE_SMOKE=1 $(BIN)/python -m pytest student $(NBVAL) $(PARALLEL)
	@echo "== 3/4 site, $(PROFILE) profile"
	$(RUN) $(CI_DATA) $(BIN)/python tools/build_site.py --profile $(PROFILE)
	@echo "== 4/4 unit tests, README tables, site in Chromium"
	$(RUN) COURSE_SITE_PROFILE=$(PROFILE) COURSE_SITE_REQUIRED=1 $(BIN)/python -m pytest tests $(PARALLEL) \
		--cov=course_utils --cov-report=term

unit: setup
	$(RUN) $(BIN)/python -m pytest tests $(PARALLEL)

notebooks: setup
	$(RUN) $(CI_DATA) COURSE_PROFILE=$(PROFILE) $(BIN)/python -m pytest notebooks $(NBVAL)

# The course as a static HTML site in _build/site/PROFILE/html (PROFILE=laptop to publish).
# Only notebooks whose code changed are executed again; a prose edit rebuilds in seconds.
site: setup
	$(RUN) $(BIN)/python tools/build_site.py --profile $(PROFILE)

# otter-grader's release step: student/ (no solutions; a grader.check cell after each
# exercise) and the autograders in _build/autograder/ (README.md, "Exercises").
student: setup
	$(BIN)/python tools/make_student.py

# Score a folder of submitted student copies with otter-grader, no Docker (ci profile):
#   make grade SUBMISSIONS=path/to/folder     -> path/to/folder/grades.csv
SUBMISSIONS ?= submissions
grade: setup
	$(RUN) $(SHIPPED) COURSE_PROFILE=ci $(BIN)/python tools/grade.py $(SUBMISSIONS) --jobs 2

# Download and verify every real data set into datasets/downloads/ (for offline classrooms).
data: setup
	env -u COURSE_OFFLINE $(BIN)/python tools/fetch_data.py

lint: setup
	$(BIN)/ruff check course_utils tests benchmarks datasets tools site

clean:
	rm -rf $(VENV) .pytest_cache .coverage _build student
