# Spinformer: `make paper` builds the PDF, `make test` runs the tests and a quick pipeline.
# PROFILE=paper (default, publication sizes) or PROFILE=quick (tiny sizes, writes only under build/quick/).
PROFILE ?= paper
JOBS ?= 2
BUILD_DIR := build/cmake
export PROFILE MPIRUN
MAKEFLAGS += --no-print-directory --no-builtin-rules
# chapter numbers, found as paper/pipeline.mk finds them (chapters/NN-slug; chapters/_template is none)
CHAPTER_NUMBERS := $(sort $(foreach d,$(wildcard chapters/[0-9][0-9]-*),$(firstword $(subst -, ,$(notdir $(d))))))
# give cmake's own make our job count unless we already run under a jobserver (make -jN)
CMAKE_JOBS = $(if $(findstring -j,$(MAKEFLAGS)),,-j $(JOBS))

.PHONY: all paper html reproduce publish test test-html test-mpi bench deps build clean clean-jobs help $(addprefix ch,$(CHAPTER_NUMBERS))

all: paper

help:
	@echo "make paper            install what is missing, build, run changed experiments, draw figures, write paper/spinformer.pdf"
	@echo "make html             the same course as a static website in build/html (one page per chapter, MathML, no network)"
	@echo "make test             build, run the unit tests (ctest) and a quick-profile run of the whole pipeline, website included"
	@echo "make chNN             rerun chapter NN's experiment and redraw its figures (PROFILE=quick for tiny sizes)"
	@echo "make reproduce        rerun every chapter's experiment (not reading the committed data), then a replication summary"
	@echo "make publish          copy the data of the chapters rerun here into chapters/NN-slug/data (then commit them)"
	@echo "make bench            run the benchmarks (Google Benchmark)"
	@echo "MPIRUN='mpirun -np 16 --hostfile hosts' make reproduce   spreads every chapter's jobs over MPI ranks"

deps:
	@bash scripts/install-deps.sh

build: deps
	@mkdir -p build && cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release > $(BUILD_DIR).configure.log 2>&1 \
	  || { cat $(BUILD_DIR).configure.log; exit 1; }
	+@cmake --build $(BUILD_DIR) $(CMAKE_JOBS)

# Everything after the build is decided by file dates in paper/pipeline.mk.
paper: build
	@$(MAKE) --no-print-directory -f paper/pipeline.mk paper

# The website reads what the PDF reads: the committed data, rerunning only chapters whose sources changed.
html: build
	@$(MAKE) --no-print-directory -f paper/pipeline.mk html

# Every experiment rerun (finished jobs in build/<profile>/jobs are kept: a killed run resumes; make
# clean-jobs forgets them), then each chapter's numbers and verdicts against the committed data.
reproduce: build
	@REPRODUCE=1 $(MAKE) --no-print-directory -f paper/pipeline.mk $(foreach n,$(CHAPTER_NUMBERS),rerun-ch$(n))
	@$(MAKE) --no-print-directory -f paper/pipeline.mk paper
	@$(MAKE) --no-print-directory -f paper/pipeline.mk replication-summary

publish: build
	@bash scripts/publish-data
	@$(MAKE) --no-print-directory -f paper/pipeline.mk paper

clean-jobs:
	rm -rf build/*/jobs

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)
	@$(MAKE) --no-print-directory -f paper/pipeline.mk PROFILE=quick paper
	@$(MAKE) --no-print-directory test-html
	@$(MAKE) --no-print-directory test-mpi

# The quick profile's website, loaded page by page in headless Chromium (tests/html/check_site.py):
# every image loads, every internal link lands, math is MathML; a screenshot of a chapter page and a
# report go to build/quick/html-check/, whose path the log prints.
test-html: build
	@$(MAKE) --no-print-directory -f paper/pipeline.mk PROFILE=quick html
	@python3 tests/html/check_site.py build/quick/html --out build/quick/html-check --book build/quick/book

# The same chapter under `mpirun -np 2` gives the same results as the quick pipeline's single process.
# (OpenMPI refuses root unless told; CI runs as root.)
MPI_CHECK_CHAPTER ?= 01
test-mpi: build
	@rm -rf build/quick-mpi && mkdir -p build/quick-mpi/ch$(MPI_CHECK_CHAPTER)
	@echo "[mpi] chapter $(MPI_CHECK_CHAPTER), quick profile, mpirun -np 2"
	@OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1 \
	  mpirun -np 2 $(BUILD_DIR)/bin/ch$(MPI_CHECK_CHAPTER) --profile quick --out build/quick-mpi/ch$(MPI_CHECK_CHAPTER) \
	  > build/quick-mpi/log 2>&1 || { tail -20 build/quick-mpi/log; exit 1; }
	@$(BUILD_DIR)/bin/spinformer runs compare --a build/quick/ch$(MPI_CHECK_CHAPTER) --b build/quick-mpi/ch$(MPI_CHECK_CHAPTER)

$(addprefix ch,$(CHAPTER_NUMBERS)): ch%: build
	@$(MAKE) --no-print-directory -f paper/pipeline.mk rerun-ch$*

# Any other chNN names no chapter: say so rather than "no rule to make target". A single digit
# (make ch1) gets its own rule: a pattern's % never matches nothing, and make's built-in rules would
# otherwise look for ch1.o.
$(foreach d,0 1 2 3 4 5 6 7 8 9,ch$(d)%):
	@echo "make: there is no chapter $(patsubst ch%,%,$@) (no chapters/$(patsubst ch%,%,$@)-*); the chapters are $(CHAPTER_NUMBERS)" >&2; exit 2
$(foreach d,0 1 2 3 4 5 6 7 8 9,ch$(d)):
	@echo "make: chapters are named by two digits: make ch0$(patsubst ch%,%,$@) (the chapters are $(CHAPTER_NUMBERS))" >&2; exit 2

bench: build
	$(BUILD_DIR)/bin/spinformer_bench
	@if /usr/bin/python3 -c 'import torch' 2>/dev/null; then /usr/bin/python3 bench/seed_metropolis.py; \
	 else echo "seed's Python sampler: skipped (apt-get install python3-torch to measure it)"; fi
	@if /usr/bin/python3 -c 'import torch' 2>/dev/null; then /usr/bin/python3 bench/seed_gpt.py; \
	 else echo "seed's PyTorch IsingGPT: skipped (apt-get install python3-torch to measure it)"; fi
	@if /usr/bin/python3 -c 'import torch' 2>/dev/null; then /usr/bin/python3 bench/plain_gpt.py; \
	 else echo "plain PyTorch model of IsingGPT's architecture: skipped (apt-get install python3-torch to measure it)"; fi
	@if /usr/bin/python3 -c 'import torch' 2>/dev/null; then /usr/bin/python3 bench/memory.py $(BUILD_DIR); \
	 else echo "peak memory against plain PyTorch at 256 tokens: skipped (apt-get install python3-torch to measure it)"; fi

clean:
	rm -rf build
