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

$(OUT)/figures/ch$(1)/.done: $(OUT)/ch$(1)/results.json $(wildcard $(call chapter_dir,$(1))/*.gp) figures/style.gp \
                             scripts/draw-figures
	@bash scripts/draw-figures $(1) $(OUT) $(PNG_DIR)
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

# ---- the book: what the PDF and the website read ------------------------------------------------
# Each chapter as the book shows it (scripts/book-chapter): text.md, then derivations.md and
# exercises.md where the chapter has them, all filled from its results.json, with the compact claims
# table in the text and the condition tables in a block the filter moves (PDF: the appendix; HTML: a
# collapsed section). paper/synthesis.md, where it exists, is filled from every chapter's results
# (scripts/fill-synthesis) and follows the last chapter.
BOOK := $(OUT)/book
book_parts = $(wildcard $(addprefix $(call chapter_dir,$(1))/,text.md derivations.md exercises.md))
define book_rules
$(BOOK)/ch$(1).md: $(call book_parts,$(1)) $(OUT)/ch$(1)/results.json $(OUT)/claims.md $(SPINFORMER) scripts/book-chapter
	@bash scripts/book-chapter $(1) $(OUT) $(BOOK)
endef
$(foreach n,$(CHAPTERS),$(eval $(call book_rules,$(n))))
BOOK_CHAPTERS := $(foreach n,$(CHAPTERS),$(BOOK)/ch$(n).md)
# (SYNTHESIS_TEXT and FILL_SYNTHESIS can name stand-ins, e.g. under build/, to try the hook.)
SYNTHESIS_TEXT ?= paper/synthesis.md
FILL_SYNTHESIS ?= scripts/fill-synthesis
SYNTHESIS := $(if $(wildcard $(SYNTHESIS_TEXT)),$(BOOK)/synthesis.md)

# The synthesis quotes the paper's numbers. Another profile's runs lack many of its keys (other
# temperatures, other sizes), so its book fills the synthesis from the committed paper data, linked
# as <out>/committed/chNN, as fill-synthesis reads them.
ifeq ($(PROFILE),paper)
  SYNTHESIS_VALUES := $(OUT)
else
  SYNTHESIS_VALUES := $(OUT)/committed
endif
$(BOOK)/synthesis.md: $(SYNTHESIS_TEXT) $(wildcard $(FILL_SYNTHESIS)) $(CLAIMS)
	@mkdir -p $(BOOK)
ifneq ($(PROFILE),paper)
	@rm -rf $(OUT)/committed && mkdir -p $(OUT)/committed && \
	  for d in $(CHAPTER_DIRS); do ln -s $(CURDIR)/$$d/data $(OUT)/committed/ch$$(basename $$d | cut -c1-2); done
endif
	@bash $(FILL_SYNTHESIS) $(SYNTHESIS_VALUES) $@.tmp.md && mv $@.tmp.md $@

# ---- the PDF ----------------------------------------------------------------------------------
# paper/appendix.md holds the place where the filter gathers the chapters' condition tables.
$(PDF): paper/metadata.yaml paper/front.md paper/references.bib paper/filters/paper.lua $(OUT)/claims.md paper/back.md \
        paper/appendix.md $(OUT)/provenance.md $(CHAPTER_TEXTS) $(BOOK_CHAPTERS) $(SYNTHESIS) $(FIGURE_STAMPS)
	@echo "[paper] pandoc -> $@"
	@pandoc paper/metadata.yaml paper/front.md $(OUT)/claims.md $(BOOK_CHAPTERS) $(SYNTHESIS) paper/appendix.md \
	  $(OUT)/provenance.md paper/back.md \
	  --from markdown --lua-filter paper/filters/paper.lua -M figdir=$(OUT)/figures \
	  --citeproc --bibliography paper/references.bib \
	  --toc --number-sections --pdf-engine=pdflatex -o $@.tmp.pdf && mv $@.tmp.pdf $@

# ---- the website (make html) ------------------------------------------------------------------
# One page per chapter, the claims at a glance, the front matter and the provenance, math as MathML
# (nothing is fetched when a page is read). scripts/build-html writes the site whole or not at all.
ifeq ($(PROFILE),paper)
  SITE := build/html
else
  SITE := $(OUT)/html
endif
.PHONY: html
html: $(SITE)/index.html
	@echo "html: $(SITE)/index.html"

$(SITE)/index.html: paper/front.md paper/references.bib paper/filters/paper.lua $(wildcard paper/html/*) \
        scripts/build-html $(OUT)/claims.md $(OUT)/provenance.md $(BOOK_CHAPTERS) $(SYNTHESIS) $(FIGURE_STAMPS)
	@echo "[html] pandoc -> $(SITE)"
	@bash scripts/build-html $(PROFILE) $(OUT) $(SITE) $(CHAPTERS)
