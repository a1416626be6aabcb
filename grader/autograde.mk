# autograde.mk - grade a whole class, and package proclab for Gradescope
# and for students. Included at the end of the Makefile, whose variables
# and per-lab rules it uses.
#
#   make grade-all SUBMISSIONS=DIR [JOBS=N]  grade every folder in DIR
#   make gradescope                          build $(BUILD)/autograder.zip
#   make handout                             build the students' tarball

.PHONY: grade-all grade-shared gradescope handout

# --- grading a class --------------------------------------------------------

# Submissions graded at once; the default is one per core.
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
# Seconds, times TIMEOUT_SCALE, that one submission may take to build and
# grade in grade-all. The grader's own RUN_LIMIT covers only the tests;
# this also stops a compiler that never ends (#include "/dev/zero").
GRADE_LIMIT ?= 900
GRADE_ALL ?= $(BUILD)/all

# What every grade shares, built once before several grades start, so that
# no two of them ever build the same file at the same time. Each grade
# then builds only in its own SUBMISSION_BUILD.
GRADE_SHARED := $(DEPS_OK) $(GRADER) $(LIBPROCLAB) $(HARNESS_OBJS) \
	$(foreach l,$(LABS),$($(l)_TEST_OBJS))

grade-shared: $(GRADE_SHARED)

ifneq ($(filter grade-all,$(MAKECMDGOALS)),)
ifndef SUBMISSIONS
$(error make grade-all needs SUBMISSIONS=DIR, a folder that contains one \
	folder per submission, each laid out like labs/)
endif
endif

# exec, so that a SIGTERM that make passes on reaches the script itself,
# which then stops the grades it started.
grade-all: grade-shared
	@MAKE="$(MAKE)" OUT="$(GRADE_ALL)" JOBS="$(JOBS)" LABS="$(LABS)" \
	    GRADE_LIMIT="$$(awk "BEGIN { print $(GRADE_LIMIT) * \
	        $(TIMEOUT_SCALE) }")" \
	    exec sh grader/grade-all.sh "$(SUBMISSIONS)"

# --- what may leave this repository ------------------------------------------

# $(call copy_public,DEST,PATHS[,GREP-ARGS]) copies the files under PATHS
# into DEST, leaving out solutions/ and tests/mutants/ (wrong solutions,
# written as diffs against the right ones), and any path that matches the
# extra grep patterns GREP-ARGS. In a git checkout the files are those
# git tracks plus new ones that .gitignore does not exclude, as they are
# in the working tree; elsewhere (an unpacked handout) every file.
define copy_public
	@rm -rf $(1)
	@mkdir -p $(1)
	@if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
	    git -c core.quotePath=false ls-files -co --exclude-standard \
	        -- $(2); \
	else \
	    find $(2) -type f 2>/dev/null; \
	fi | grep -v -e '^solutions/' -e '^tests/mutants/' -e '^build/' $(3) | \
	while IFS= read -r f; do \
	    [ -f "$$f" ] || continue; \
	    case $$f in */*) mkdir -p "$(1)/$${f%/*}" ;; esac; \
	    cp -p "$$f" "$(1)/$$f" || exit 1; \
	done
endef

# --- Gradescope -------------------------------------------------------------

# Gradescope unpacks the zip into /autograder/source, runs setup.sh once
# when it builds the image, and runs run_autograder for each submission.
AUTOGRADER_ZIP := $(BUILD)/autograder.zip
AUTOGRADER_PATHS := Makefile README.md LICENSE .clang-format common grader \
	labs tests

gradescope:
	@command -v zip >/dev/null 2>&1 || { echo "proclab: make gradescope" \
	    "needs the zip command; install it with: sudo apt-get install" \
	    "zip" >&2; exit 1; }
	$(call copy_public,$(BUILD)/gradescope,$(AUTOGRADER_PATHS))
	@cp grader/gradescope/setup.sh grader/gradescope/run_autograder \
	    $(BUILD)/gradescope/
	@chmod 755 $(BUILD)/gradescope/setup.sh \
	    $(BUILD)/gradescope/run_autograder
	@rm -f $(AUTOGRADER_ZIP)
	@cd $(BUILD)/gradescope && zip -q -r -X $(abspath $(AUTOGRADER_ZIP)) .
	@echo "proclab: wrote $(AUTOGRADER_ZIP) ($$(find $(BUILD)/gradescope \
	    -type f | wc -l) files); upload it as the autograder of a" \
	    "Gradescope programming assignment"

# --- the students' handout -----------------------------------------------------

HANDOUT := $(BUILD)/proclab-handout.tar.gz
HANDOUT_PATHS := Makefile README.md LICENSE .clang-format .gitignore .github \
	common grader labs tests
# Hidden tests (PL_HIDDEN_TESTS in tests/LAB/hidden_*.c) stay with the
# instructor and the Gradescope autograder.
HANDOUT_HIDDEN := -e '^tests/[^/]*/hidden_'

handout:
	@if git rev-parse --is-inside-work-tree >/dev/null 2>&1 && \
	    ! git diff --quiet HEAD -- labs 2>/dev/null; then \
	    echo "proclab: warning: labs/ differs from the last commit, and" \
	        "the handout carries these changes:" \
	        "$$(git diff --name-only HEAD -- labs | tr '\n' ' ')" >&2; \
	fi
	$(call copy_public,$(BUILD)/handout/proclab,$(HANDOUT_PATHS),\
	    $(HANDOUT_HIDDEN))
	@tar -czf $(HANDOUT) -C $(BUILD)/handout proclab
	@echo "proclab: wrote $(HANDOUT) ($$(find $(BUILD)/handout -type f | \
	    wc -l) files, no solutions/, no tests/mutants/, no hidden tests)"
