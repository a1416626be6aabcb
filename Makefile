# proclab: labs on how Unix processes live and die, graded with Check.
#
# Run "make help" for the targets and variables.

CC ?= cc
CFLAGS_BASE := -std=gnu11 -D_GNU_SOURCE -g -O1 -Wall -Wextra -MMD -MP
STRICT := -Werror
TIMEOUT_SCALE ?= 1
RUN_LIMIT ?= 1800
FORMAT ?= table

BUILD ?= build
COMMON_SRCS := $(wildcard common/*.c)
COMMON_OBJS := $(COMMON_SRCS:%.c=$(BUILD)/%.o)
LIBPROCLAB := $(BUILD)/libproclab.a
HARNESS_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(wildcard tests/harness/*.c))
GRADER := $(BUILD)/grader/grader
GRADER_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(wildcard grader/*.c))

# Check's flags are read when a recipe needs them, after the deps step
# below has made sure that Check is installed.
CHECK_CFLAGS = $(shell pkg-config --cflags check)
CHECK_LIBS = $(shell pkg-config --libs check)
# Programs built with the harness: tests/harness/wrap.c sees mq_open().
HARNESS_LIBS = $(CHECK_LIBS) -Wl,--wrap=mq_open
DEPS_OK := $(BUILD)/.deps-ok

# --- which labs, and whose code ------------------------------------------

ALL_LABS := $(patsubst labs/%/,%,$(sort $(wildcard labs/[0-9][0-9]-*/)))
ifdef LAB
LABS := $(filter $(LAB)-% $(LAB),$(ALL_LABS))
ifeq ($(LABS),)
$(error LAB=$(LAB) matches no folder in labs/; choose one of: $(ALL_LABS))
endif
else
LABS := $(ALL_LABS)
endif

# SUBMISSION_BUILD lets several submissions be built and graded at once,
# each in a folder of its own, while they share the library, the harness
# and the grader built under $(BUILD).
ifdef SUBMISSION
SUBMISSION_BUILD ?= $(BUILD)/submission
VBUILD := $(SUBMISSION_BUILD)
SRC_ROOT := $(SUBMISSION_BUILD)/src
SOURCE_NAME := $(SUBMISSION)
STUDENT_CFLAGS :=
else ifeq ($(SOLUTIONS),1)
VBUILD := $(BUILD)/solutions
SRC_ROOT := solutions
SOURCE_NAME := solutions
STUDENT_CFLAGS := $(STRICT)
else
VBUILD := $(BUILD)/labs
SRC_ROOT := labs
SOURCE_NAME := labs
STUDENT_CFLAGS :=
endif
RESULTS ?= $(BUILD)/results.json

# The files a student writes: every .c file of the lab but main.c.
student_files = $(filter-out main.c,$(notdir $(wildcard labs/$(1)/*.c)))

ifeq ($(V),1)
Q :=
say :=
else
Q := @
say = @printf '  %-6s %s\n' $(1) $(2);
endif
# Inside the per-lab build that "make grade" runs, print only what the
# compiler says, for the grader to show.
ifeq ($(GRADE_BUILD),1)
say :=
endif

.PHONY: all grade run test help clean deps bench tsan mutants flaky
.DEFAULT_GOAL := all
.DELETE_ON_ERROR:

all: $(GRADER) $(foreach l,$(LABS),$(VBUILD)/$(l)/check \
	$(VBUILD)/$(l)/program)

# --- dependencies -------------------------------------------------------

deps: $(DEPS_OK)

$(DEPS_OK):
	@mkdir -p $(@D)
	@if ! command -v pkg-config >/dev/null 2>&1 || \
	    ! pkg-config --exists check; then \
	    if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	        echo "proclab: installing Check and pkg-config with apt-get"; \
	        apt-get update -qq >/dev/null && \
	        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	            check pkg-config >/dev/null || exit 1; \
	    else \
	        echo "proclab: the Check unit-test library or pkg-config is" \
	            "missing; install them with: sudo apt-get install check" \
	            "pkg-config" >&2; \
	        exit 1; \
	    fi; \
	fi
	@touch $@

# --- the library, the harness and the grader -----------------------------

$(BUILD)/common/%.o: common/%.c | $(DEPS_OK)
	@mkdir -p $(@D)
	$(call say,CC,$<)$(CC) $(CFLAGS_BASE) $(STRICT) -Icommon -c $< -o $@

$(LIBPROCLAB): $(COMMON_OBJS)
	$(call say,AR,$@)$(AR) rcs $@ $^

$(BUILD)/tests/harness/%.o: tests/harness/%.c | $(DEPS_OK)
	@mkdir -p $(@D)
	$(call say,CC,$<)$(CC) $(CFLAGS_BASE) $(STRICT) -Icommon \
	    -Itests/harness $(CHECK_CFLAGS) -c $< -o $@

$(BUILD)/grader/%.o: grader/%.c | $(DEPS_OK)
	@mkdir -p $(@D)
	$(call say,CC,$<)$(CC) $(CFLAGS_BASE) $(STRICT) -Icommon -c $< -o $@

$(GRADER): $(GRADER_OBJS) $(LIBPROCLAB)
	$(call say,LD,$@)$(CC) -o $@ $^

# --- one lab -----------------------------------------------------------

# $(1) is the lab folder, e.g. 01-fork-memory.
define lab_rules
$(1)_TEST_SRC := $(wildcard tests/$(1)/*.c)
$(1)_TEST_OBJS := $$($(1)_TEST_SRC:%.c=$(BUILD)/%.o)
$(1)_STUDENT_OBJS := $$(patsubst %.c,$(VBUILD)/$(1)/student/%.o,\
	$(call student_files,$(1)))

$(BUILD)/tests/$(1)/%.o: tests/$(1)/%.c | $(DEPS_OK)
	@mkdir -p $$(@D)
	$$(call say,CC,$$<)$$(CC) $$(CFLAGS_BASE) $$(STRICT) -Icommon \
	    -Ilabs/$(1) -Itests/harness $$(CHECK_CFLAGS) -c $$< -o $$@

$(VBUILD)/$(1)/student/%.o: $(SRC_ROOT)/$(1)/%.c | $(DEPS_OK)
	@mkdir -p $$(@D)
	$$(call say,CC,$$<)$$(CC) $$(CFLAGS_BASE) $$(STUDENT_CFLAGS) \
	    -Ilabs/$(1) -Icommon -c $$< -o $$@
	@CC="$$(CC)" sh grader/check-student-object.sh $$@ $(1)/$$(notdir $$<)

$(VBUILD)/$(1)/main.o: labs/$(1)/main.c | $(DEPS_OK)
	@mkdir -p $$(@D)
	$$(call say,CC,$$<)$$(CC) $$(CFLAGS_BASE) $$(STRICT) -Ilabs/$(1) \
	    -Icommon -c $$< -o $$@

$(1)_HELPERS := $$(patsubst tests/$(1)/helpers/%.c,$(VBUILD)/$(1)/%,\
	$(wildcard tests/$(1)/helpers/*.c))

$(VBUILD)/$(1)/%: tests/$(1)/helpers/%.c $(LIBPROCLAB) | $(DEPS_OK)
	@mkdir -p $$(@D)
	$$(call say,CC,$$<)$$(CC) $$(CFLAGS_BASE) $$(STRICT) -Icommon \
	    -Ilabs/$(1) $$< -o $$@ $(LIBPROCLAB)

$(VBUILD)/$(1)/check: $(HARNESS_OBJS) $$($(1)_TEST_OBJS) \
	    $$($(1)_STUDENT_OBJS) $(LIBPROCLAB) | $$($(1)_HELPERS)
	$$(call say,LD,$$@)$$(CC) -o $$@ $$(filter %.o %.a,$$^) $$(HARNESS_LIBS)

# The test list needs no student code: the lab functions stay unresolved
# because --list never calls them, and the grader can then score a lab
# that does not compile.
$(VBUILD)/$(1)/list: $(HARNESS_OBJS) $$($(1)_TEST_OBJS) $(LIBPROCLAB)
	@mkdir -p $$(@D)
	$$(call say,LD,$$@)$$(CC) -no-pie -o $$@ $$^ $$(HARNESS_LIBS) \
	    -Wl,--unresolved-symbols=ignore-all

$(VBUILD)/$(1)/program: $(VBUILD)/$(1)/main.o $$($(1)_STUDENT_OBJS) \
	    $(LIBPROCLAB)
	$$(call say,LD,$$@)$$(CC) -o $$@ $$^ -pthread -lrt
endef
$(foreach l,$(ALL_LABS),$(eval $(call lab_rules,$(l))))

# --- grading -----------------------------------------------------------

# SUBMISSION=DIR: copy only the student files of each lab, so that a
# submission cannot bring its own headers, tests or Makefile, nor a
# symbolic link to a file it should not see, which counts as missing. A
# missing file also removes what an earlier submission built from it, and
# leaves a note that the grader shows in place of the compiler's messages.
define copy_submission
	@for lab in $(LABS); do \
	    mkdir -p "$(SRC_ROOT)/$$lab" "$(VBUILD)/$$lab"; \
	    rm -f "$(VBUILD)/$$lab/missing.txt"; \
	    for f in $$(cd labs/$$lab && ls *.c | grep -vx main.c); do \
	        if [ -f "$(SUBMISSION)/$$lab/$$f" ] && \
	            [ ! -L "$(SUBMISSION)/$$lab/$$f" ]; then \
	            cmp -s "$(SUBMISSION)/$$lab/$$f" "$(SRC_ROOT)/$$lab/$$f" || \
	            cp "$(SUBMISSION)/$$lab/$$f" "$(SRC_ROOT)/$$lab/$$f"; \
	        else \
	            rm -f "$(SRC_ROOT)/$$lab/$$f" \
	                "$(VBUILD)/$$lab/student/$${f%.c}.o" \
	                "$(VBUILD)/$$lab/check" "$(VBUILD)/$$lab/program"; \
	            echo "$$lab/$$f is missing from the submission" \
	                "($(SUBMISSION)/$$lab/$$f)" \
	                >>"$(VBUILD)/$$lab/missing.txt"; \
	        fi; \
	    done; \
	done
endef

# Each lab is built on its own, so that one that does not compile scores 0
# with the compiler's messages while the others are still graded.
grade: $(GRADER) $(foreach l,$(LABS),$(VBUILD)/$(l)/list)
ifdef SUBMISSION
	@test -d "$(SUBMISSION)" || { echo "proclab: SUBMISSION=$(SUBMISSION)" \
	    "is not a folder" >&2; exit 2; }
	$(copy_submission)
endif
	@rm -f "$(RESULTS)"
	@for lab in $(LABS); do \
	    mkdir -p $(VBUILD)/$$lab; \
	    if [ -s $(VBUILD)/$$lab/missing.txt ]; then \
	        cp $(VBUILD)/$$lab/missing.txt $(VBUILD)/$$lab/build.log; \
	        rm -f $(VBUILD)/$$lab/check; \
	        continue; \
	    fi; \
	    $(MAKE) --no-print-directory -s GRADE_BUILD=1 \
	        $(VBUILD)/$$lab/check $(VBUILD)/$$lab/program \
	        >$(VBUILD)/$$lab/build.out 2>&1 || \
	        rm -f $(VBUILD)/$$lab/check; \
	    grep -v '^make' $(VBUILD)/$$lab/build.out \
	        >$(VBUILD)/$$lab/build.log || true; \
	done
	@$(GRADER) --results "$(RESULTS)" --scale $(TIMEOUT_SCALE) \
	    --run-limit $(RUN_LIMIT) --source "$(SOURCE_NAME)" \
	    --format $(FORMAT) $(VBUILD) $(LABS)

run: $(foreach l,$(LABS),$(VBUILD)/$(l)/program)
	@for lab in $(LABS); do \
	    echo "== $(VBUILD)/$$lab/program"; \
	    $(VBUILD)/$$lab/program || \
	        echo "== the program exited with status $$?"; \
	done

# --- ThreadSanitizer -----------------------------------------------------

# make tsan LAB=NN builds lab NN's program with ThreadSanitizer and runs
# it twice: with --tsan-unlocked, where TSan must report the data race of
# the unlocked counter, and with --tsan-locked, where it must report none.
TSAN_FLAGS := -fsanitize=thread -g -O1

tsan: $(LIBPROCLAB)
ifndef LAB
	@echo "proclab: make tsan needs a lab, for example: make tsan LAB=10" >&2
	@exit 2
endif
	@for lab in $(LABS); do \
	    out=$(VBUILD)/$$lab/program-tsan; \
	    srcs="labs/$$lab/main.c"; \
	    for f in $$(cd labs/$$lab && ls *.c | grep -vx main.c); do \
	        srcs="$$srcs $(SRC_ROOT)/$$lab/$$f"; \
	    done; \
	    mkdir -p $(VBUILD)/$$lab; \
	    echo "  TSAN   $$out"; \
	    $(CC) $(CFLAGS_BASE) $(TSAN_FLAGS) -Ilabs/$$lab -Icommon $$srcs \
	        $(LIBPROCLAB) -pthread -o $$out || exit 1; \
	    echo "== $$out --tsan-unlocked (a data race is expected)"; \
	    $$out --tsan-unlocked >$(VBUILD)/$$lab/tsan-unlocked.log 2>&1; \
	    status=$$?; \
	    if grep -q "ThreadSanitizer: data race" \
	        $(VBUILD)/$$lab/tsan-unlocked.log; then \
	        grep -A12 "WARNING: ThreadSanitizer" \
	            $(VBUILD)/$$lab/tsan-unlocked.log | head -n 14; \
	        echo "== ThreadSanitizer reported the race (exit status" \
	            "$$status); full report in $(VBUILD)/$$lab/tsan-unlocked.log"; \
	    else \
	        cat $(VBUILD)/$$lab/tsan-unlocked.log; \
	        echo "== FAIL: no data race reported for the unlocked counter"; \
	        exit 1; \
	    fi; \
	    echo "== $$out --tsan-locked (no report is expected)"; \
	    $$out --tsan-locked >$(VBUILD)/$$lab/tsan-locked.log 2>&1; \
	    status=$$?; \
	    if grep -q "ThreadSanitizer" $(VBUILD)/$$lab/tsan-locked.log; then \
	        cat $(VBUILD)/$$lab/tsan-locked.log; \
	        echo "== FAIL: ThreadSanitizer reported a problem in the" \
	            "locked version"; \
	        exit 1; \
	    elif [ $$status -ne 0 ]; then \
	        cat $(VBUILD)/$$lab/tsan-locked.log; \
	        echo "== the locked version exited with status $$status" \
	            "without a report: are its functions written yet?"; \
	        exit 1; \
	    fi; \
	    echo "== no race reported: the locked counters are safe"; \
	done

# --- the project's own tests ----------------------------------------------

COMMON_TEST := $(BUILD)/tests/common/check_common
SELFTEST := $(BUILD)/selftest/check
SELFTEST_LIST := $(BUILD)/selftest/list

$(BUILD)/tests/common/%.o: tests/common/%.c | $(DEPS_OK)
	@mkdir -p $(@D)
	$(call say,CC,$<)$(CC) $(CFLAGS_BASE) $(STRICT) -Icommon \
	    $(CHECK_CFLAGS) -c $< -o $@

$(COMMON_TEST): $(BUILD)/tests/common/check_common.o $(LIBPROCLAB)
	$(call say,LD,$@)$(CC) -o $@ $^ $(CHECK_LIBS)

$(BUILD)/tests/selftest/%.o: tests/selftest/%.c | $(DEPS_OK)
	@mkdir -p $(@D)
	$(call say,CC,$<)$(CC) $(CFLAGS_BASE) $(STRICT) -Icommon \
	    -Itests/harness $(CHECK_CFLAGS) -c $< -o $@

$(SELFTEST) $(SELFTEST_LIST): $(HARNESS_OBJS) \
	    $(BUILD)/tests/selftest/check_selftest.o $(LIBPROCLAB)
	@mkdir -p $(@D)
	$(call say,LD,$@)$(CC) -o $@ $^ $(HARNESS_LIBS)

test: $(GRADER) $(COMMON_TEST) $(SELFTEST) $(SELFTEST_LIST)
	@$(COMMON_TEST)
	@sh tests/run-tests.sh

# Grade the solutions RUNS times, half of them with every core busy, and
# report any test whose result changed.
RUNS ?= 20
flaky: $(GRADER)
	@sh tests/flaky.sh $(RUNS)

# Grade every wrong solution in tests/mutants; each must lose points.
mutants: $(GRADER)
	@sh tests/mutants.sh $(if $(LAB),$(LABS))

# --- what the grader costs --------------------------------------------------

BENCH := $(BUILD)/bench
$(BUILD)/tests/bench/%.o: tests/bench/%.c | $(DEPS_OK)
	@mkdir -p $(@D)
	$(call say,CC,$<)$(CC) $(CFLAGS_BASE) $(STRICT) -Icommon \
	    -Itests/harness $(CHECK_CFLAGS) -c $< -o $@

$(BENCH)/check $(BENCH)/list: $(HARNESS_OBJS) \
	    $(BUILD)/tests/bench/check_bench.o $(LIBPROCLAB)
	@mkdir -p $(@D)
	$(call say,LD,$@)$(CC) -o $@ $^ $(HARNESS_LIBS)

$(BENCH)/%: $(BUILD)/tests/bench/%.o $(LIBPROCLAB)
	$(call say,LD,$@)$(CC) -o $@ $^ $(CHECK_LIBS)

.SECONDARY: $(BUILD)/tests/bench/plain_check.o $(BUILD)/tests/bench/bare_fork.o
BENCH_PROGRAMS := $(BENCH)/check $(BENCH)/list $(BENCH)/plain_check \
	$(BENCH)/bare_fork

# Time 200 empty tests three ways; divide the differences by 200 for the
# cost per test.
bench: $(GRADER) $(BENCH_PROGRAMS)
	@for run in 1 2 3 4 5; do \
	    for cmd in "$(BENCH)/bare_fork" "$(BENCH)/plain_check" \
	        "$(GRADER) $(BUILD) bench"; do \
	        start=$$(date +%s%N); $$cmd >/dev/null; \
	        end=$$(date +%s%N); \
	        printf '%-28s %6d us per test\n' "$${cmd%% *}" \
	            $$(( (end - start) / 200000 )); \
	    done; \
	done

# --- housekeeping -------------------------------------------------------

clean:
	rm -rf $(BUILD)

help:
	@echo "proclab targets:"
	@echo "  make              build the labs, their tests and the grader"
	@echo "  make grade        grade the code in labs/ and print the scores"
	@echo "  make run LAB=NN   build and run lab NN's program on your code"
	@echo "  make test         run the project's own tests"
	@echo "  make deps         install Check and pkg-config if missing"
	@echo "  make mutants      grade the wrong solutions in tests/mutants"
	@echo "  make flaky RUNS=N grade the solutions N times, half of them"
	@echo "                    with busy cores, and report changed results"
	@echo "  make tsan LAB=NN  run lab NN's program under ThreadSanitizer"
	@echo "  make bench        time 200 empty tests: bare fork, Check, grader"
	@echo "  make grade-all SUBMISSIONS=DIR  grade every folder in DIR, JOBS=N at once"
	@echo "  make gradescope   build build/autograder.zip for Gradescope"
	@echo "  make handout      build build/proclab-handout.tar.gz for students"
	@echo "  make clean        remove build/"
	@echo ""
	@echo "variables:"
	@echo "  LAB=NN            only lab NN (e.g. LAB=01); default: all labs"
	@echo "                    ($(ALL_LABS))"
	@echo "  SOLUTIONS=1       use the reference code in solutions/"
	@echo "  SUBMISSION=DIR    grade the student files in DIR/NN-topic/;"
	@echo "                    tests, headers and Makefile stay this copy's"
	@echo "  TIMEOUT_SCALE=F   multiply every test deadline by F (default 1),"
	@echo "                    for slow machines, valgrind or sanitizers"
	@echo "  RUN_LIMIT=S       stop the whole grade after S seconds, times"
	@echo "                    TIMEOUT_SCALE (default 1800); unfinished tests"
	@echo "                    score 0 and are marked as timed out"
	@echo "  FORMAT=F          print the results as table (default), tap or"
	@echo "                    junit, for CI systems that read TAP or JUnit"
	@echo "  V=1               show the full compiler commands"
	@echo ""
	@echo "make grade writes $(RESULTS) (Gradescope's format) and"
	@echo "exits 0 only when every test passed."

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
include grader/autograde.mk
