# Spinformer: `make paper` builds the PDF, `make test` runs the tests and a quick pipeline.
# PROFILE=paper (default, publication sizes) or PROFILE=quick (tiny sizes, writes only under build/quick/).
PROFILE ?= paper
JOBS ?= 2
BUILD_DIR := build/cmake
export PROFILE
MAKEFLAGS += --no-print-directory
# give cmake's own make our job count unless we already run under a jobserver (make -jN)
CMAKE_JOBS = $(if $(findstring -j,$(MAKEFLAGS)),,-j $(JOBS))

.PHONY: all paper test bench deps build clean help $(addprefix ch,00 01 02 03 04 05 06 07 08 09)

all: paper

help:
	@echo "make paper            install what is missing, build, run changed experiments, draw figures, write paper/spinformer.pdf"
	@echo "make test             build, run the unit tests (ctest) and a quick-profile run of the whole pipeline"
	@echo "make chNN             rerun chapter NN's experiment and redraw its figures (PROFILE=quick for tiny sizes)"
	@echo "make bench            run the benchmarks (Google Benchmark)"

deps:
	@bash scripts/install-deps.sh

build: deps
	@mkdir -p build && cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release > $(BUILD_DIR).configure.log 2>&1 \
	  || { cat $(BUILD_DIR).configure.log; exit 1; }
	+@cmake --build $(BUILD_DIR) $(CMAKE_JOBS)

# Everything after the build is decided by file dates in paper/pipeline.mk.
paper: build
	@$(MAKE) --no-print-directory -f paper/pipeline.mk paper

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)
	@$(MAKE) --no-print-directory -f paper/pipeline.mk PROFILE=quick paper

$(addprefix ch,00 01 02 03 04 05 06 07 08 09): ch%: build
	@$(MAKE) --no-print-directory -f paper/pipeline.mk rerun-ch$*

bench: build
	$(BUILD_DIR)/bin/spinformer_bench
	@if /usr/bin/python3 -c 'import torch' 2>/dev/null; then /usr/bin/python3 bench/seed_metropolis.py; \
	 else echo "seed's Python sampler: skipped (apt-get install python3-torch to measure it)"; fi
	@if /usr/bin/python3 -c 'import torch' 2>/dev/null; then /usr/bin/python3 bench/seed_gpt.py; \
	 else echo "seed's PyTorch IsingGPT: skipped (apt-get install python3-torch to measure it)"; fi
	@if /usr/bin/python3 -c 'import torch' 2>/dev/null; then /usr/bin/python3 bench/plain_gpt.py; \
	 else echo "plain PyTorch model of IsingGPT's architecture: skipped (apt-get install python3-torch to measure it)"; fi

clean:
	rm -rf build
