# The paper pipeline: experiments -> figures -> chapter text -> PDF, driven by file dates.
# Called from the top-level Makefile after the build; PROFILE selects sizes and output places.
PROFILE ?= paper
BIN := build/cmake/bin
SPINFORMER := $(BIN)/spinformer
OUT := build/$(PROFILE)

CHAPTER_DIRS := $(sort $(wildcard chapters/[0-9][0-9]-*))
CHAPTERS := $(foreach d,$(CHAPTER_DIRS),$(firstword $(subst -, ,$(notdir $(d)))))
chapter_dir = $(filter chapters/$(1)-%,$(CHAPTER_DIRS))

ifeq ($(PROFILE),paper)
  PDF := paper/spinformer.pdf
  TEXT_DIR = $(call chapter_dir,$(1))
  PNG_DIR = figures/ch$(1)
else
  PDF := $(OUT)/spinformer.pdf
  TEXT_DIR = $(OUT)/$(call chapter_dir,$(1))
  PNG_DIR = $(OUT)/figures/ch$(1)
endif

.PHONY: paper replication-summary $(addprefix rerun-ch,$(CHAPTERS))
.DELETE_ON_ERROR:

paper: $(PDF)
	@echo "paper: $(PDF)"

# After `make reproduce`: every chapter's rerun against the committed data, in one place.
replication-summary:
	@$(SPINFORMER) runs summary $(wildcard $(OUT)/ch*/replication.json)

# ---- per chapter NN: data, figures, text ------------------------------------------------------
# A chapter that reads another chapter's data (e.g. its trained models, from <out>/../chMM/) lists
# the numbers MM in chapters/NN-slug/requires; its experiment then reruns when that data changes.
requires = $(foreach m,$(strip $(file <$(call chapter_dir,$(1))/requires)),$(OUT)/ch$(m)/results.json)

# The paper profile reads a chapter's committed data (chapters/NN-slug/data) when the sources that
# compute its numbers are those that made them (scripts/run-chapter compares code hashes), and reruns
# the experiment otherwise, under $(MPIRUN) when set, comparing the rerun with the committed data.
define chapter_rules
$(OUT)/ch$(1)/results.json: $(BIN)/ch$(1) $(call requires,$(1)) $(wildcard $(call chapter_dir,$(1))/data/code_hash)
	@bash scripts/run-chapter $(1) $(PROFILE) $(OUT)

$(OUT)/figures/ch$(1)/.done: $(OUT)/ch$(1)/results.json $(wildcard $(call chapter_dir,$(1))/*.gp) figures/style.gp
	@mkdir -p $(OUT)/figures/ch$(1) $(PNG_DIR)
	@echo "[ch$(1)] drawing figures"
	@for gp in $(wildcard $(call chapter_dir,$(1))/*.gp); do \
	  gnuplot -e "data='$(OUT)/ch$(1)'; pdfdir='$(OUT)/figures/ch$(1)'; pngdir='$(PNG_DIR)'" \
	    -e "load 'figures/style.gp'" $$$$gp || exit 1; done
	@touch $$@

$(TEXT_DIR)/README.md: $(call chapter_dir,$(1))/text.md $(OUT)/ch$(1)/results.json $(SPINFORMER)
	@mkdir -p $(TEXT_DIR)
	@$(SPINFORMER) report fill --template $$< --values $(OUT)/ch$(1)/results.json --out $$@
ifeq ($(PROFILE),paper)
	@cp $(OUT)/ch$(1)/claims.json $(call chapter_dir,$(1))/claims.json
endif

rerun-ch$(1):
	@rm -f $(OUT)/ch$(1)/results.json
	@REPRODUCE=1 $(MAKE) --no-print-directory -f paper/pipeline.mk $(OUT)/figures/ch$(1)/.done $(TEXT_DIR)/README.md
endef
$(foreach n,$(CHAPTERS),$(eval $(call chapter_rules,$(n))))

CHAPTER_TEXTS := $(foreach n,$(CHAPTERS),$(call TEXT_DIR,$(n))/README.md)
FIGURE_STAMPS := $(foreach n,$(CHAPTERS),$(OUT)/figures/ch$(n)/.done)
CLAIMS := $(foreach n,$(CHAPTERS),$(OUT)/ch$(n)/results.json)

# ---- the claims table (also spliced into the top-level README in the paper profile) -------------
$(OUT)/claims.md: $(CLAIMS) $(SPINFORMER)
	@$(SPINFORMER) report claims $(foreach n,$(CHAPTERS),$(OUT)/ch$(n)/claims.json) --out $@ \
	  $(if $(filter paper,$(PROFILE)),--readme README.md)

# ---- where the published numbers come from (the committed data's provenance, and this build's reruns) ----
$(OUT)/provenance.md: $(CLAIMS) $(SPINFORMER)
	@$(SPINFORMER) runs provenance --out $@ --runs $(OUT) $(wildcard chapters/*/data/provenance.json)

# ---- the PDF ----------------------------------------------------------------------------------
$(PDF): paper/metadata.yaml paper/front.md paper/references.bib paper/filters/paper.lua $(OUT)/claims.md paper/back.md \
        $(OUT)/provenance.md $(CHAPTER_TEXTS) $(FIGURE_STAMPS)
	@echo "[paper] pandoc -> $@"
	@pandoc paper/metadata.yaml paper/front.md $(OUT)/claims.md $(CHAPTER_TEXTS) $(OUT)/provenance.md paper/back.md \
	  --from markdown --lua-filter paper/filters/paper.lua -M figdir=$(OUT)/figures \
	  --citeproc --bibliography paper/references.bib \
	  --toc --number-sections --pdf-engine=pdflatex -o $@.tmp.pdf && mv $@.tmp.pdf $@
