#!/bin/sh
# run-tests.sh - the project's own tests of the grader and the labs.
#
# Run by "make test" after the common/ unit tests. Each check prints one
# line, "ok" or "FAIL", and the script ends with "N passed, N failed" and
# a non-zero status when anything failed.

set -u
MAKE=${MAKE:-make}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/proclab-selftest.XXXXXX")
trap 'rm -rf "$TMP"' EXIT INT TERM
passed=0
failed=0

ok() {
    passed=$((passed + 1))
    echo "ok    $1"
}

fail() {
    failed=$((failed + 1))
    echo "FAIL  $1"
    [ $# -gt 1 ] && printf '%s\n' "$2" | sed 's/^/      /'
    return 0
}

# check NAME COMMAND...: run COMMAND, pass when it succeeds.
check() {
    name=$1
    shift
    if "$@"; then ok "$name"; else fail "$name"; fi
}

ipc_objects() {
    ls -A /dev/shm /dev/mqueue 2>/dev/null | sort
}

# The grader's cgroups are named proclab-PID after the grader: list those
# whose grader has ended.
stale_cgroups() {
    find /sys/fs/cgroup -maxdepth 4 -type d -name 'proclab-*' 2>/dev/null |
        while IFS= read -r dir; do
            [ -d "/proc/${dir##*proclab-}" ] || echo "$dir"
        done
}

# Processes whose program lives in this build tree or this run's folder.
leftover_processes() {
    build=$(cd build && pwd -P)
    tmp=$(cd "$TMP" && pwd -P)
    for exe in /proc/[0-9]*/exe; do
        target=$(readlink "$exe" 2>/dev/null) || continue
        case $target in
        "$build"/* | "$tmp"/*) echo "${exe%/exe} $target" ;;
        esac
    done
}

json_number() {
    grep -o "\"$1\": [0-9]*" "$2" | head -n 1 | sed 's/.*: //'
}

ipc_before=$(ipc_objects)

# Test directories go here, so that the check below sees only this run's.
# The folder is private (0700): a test run as root must still reach it.
mkdir "$TMP/tmp"
TMPDIR=$TMP/tmp
export TMPDIR

# --- the grader against hostile and broken test bodies -------------------

./build/grader/grader --results "$TMP/selftest.json" build selftest \
    >"$TMP/selftest.out" 2>&1
status=$?
check "grader exits 1 when some selftest tests fail" [ "$status" -eq 1 ]

# Every test's name starts with the verdict the grader must reach.
while IFS= read -r line; do
    case $line in
    "  ok "*"passes:"* | "  FAIL "*"fails:"* | "  FAIL "*"times out:"* | \
        "  FAIL "*"crashes:"*)
        ok "verdict of${line#*/1  }" ;;
    "  ok "* | "  FAIL "*)
        fail "verdict of${line#*/1  }" "$line" ;;
    esac
done <"$TMP/selftest.out"

expect_message() {
    if grep -qF -- "$2" "$TMP/selftest.out"; then
        ok "message for $1"
    else
        fail "message for $1" "expected the text: $2"
    fi
}
expect_message "a false check" "expected 1, got 2 (checked at"
expect_message "exit(0)" "ended with exit code 0 before the test finished"
expect_message "a timeout" "did not finish in 0.5 s"
expect_message "where a timeout was" \
    "Shortly before the deadline the test process was running, as in a loop"
expect_message "a crash" "killed by SIGSEGV (signal 11"
expect_message "abort()" "killed by SIGABRT"
expect_message "a child left running" "was still running when the test"
expect_message "a zombie" "still a zombie"
expect_message "an open pipe" "(pipe:["
expect_message "a stray child" "returned from it and went on running"
expect_message "an escapee" "still running after the test and was killed"
expect_message "a flood" "SIGXFSZ"
expect_message "exit() in a child" "ended with exit() instead of _exit()"
expect_message "a failed checked call" \
    "stopped because a system call failed: proclab: close(fd=4000) failed: EBADF"
expect_message "leaked shared memory" "shared memory object /proclab."
expect_message "a leaked queue" "message queue /proclab."
expect_message "an object of its own" "shared memory object /proclab-selftest"
expect_message "printed output" "        | Score: 100/100"
# One point for each test named "passes:", none for the others.
expected=$(grep -c '{&test_[a-z_]*, "passes:' tests/selftest/check_selftest.c)
total=$(grep -c '^    {&test_' tests/selftest/check_selftest.c)
check "the last line is the grader's score" \
    [ "$(tail -n 1 "$TMP/selftest.out")" = "Score: $expected/$total" ]
check "results.json has the selftest score" \
    [ "$(json_number score "$TMP/selftest.json")" = "$expected" ]

# A scale factor stretches every deadline and changes no verdict.
./build/grader/grader --scale 2 --results "$TMP/scaled.json" build selftest \
    >"$TMP/scaled.out" 2>&1
check "with --scale 2 the selftest scores the same" \
    [ "$(json_number score "$TMP/scaled.json")" = "$expected" ]
check "with --scale 2 the 0.5 s deadline is 1.0 s" \
    grep -qF "did not finish in 1.0 s" "$TMP/scaled.out"

# Without namespaces the harness alone must clean up after each test.
PROCLAB_NO_NAMESPACE=1 ./build/grader/grader --results "$TMP/no-ns.json" \
    build selftest >"$TMP/no-ns.out" 2>&1
check "without namespaces the selftest scores the same" \
    [ "$(json_number score "$TMP/no-ns.json")" = "$expected" ]
check "without namespaces the grader says so" \
    grep -q "gives the tests no namespaces" "$TMP/no-ns.out"
check "without namespaces leaked objects are still named" \
    grep -qF "shared memory object /proclab-selftest" "$TMP/no-ns.out"

# The same results as TAP and as JUnit XML.
./build/grader/grader --format tap build selftest >"$TMP/tap.out" 2>&1
check "TAP output plans every test" grep -qx "1..$total" "$TMP/tap.out"
check "TAP output marks each passing test ok" \
    [ "$(grep -c '^ok ' "$TMP/tap.out")" = "$expected" ]
./build/grader/grader --format junit build selftest >"$TMP/junit.out" 2>&1
check "JUnit output has one testcase per test" \
    [ "$(grep -c '<testcase ' "$TMP/junit.out")" = "$total" ]
check "JUnit output has one failure per failing test" \
    [ "$(grep -c '<failure ' "$TMP/junit.out")" = "$((total - expected))" ]

# A lab that cannot be listed is the project's fault: exit 2, grade the rest.
./build/grader/grader --results "$TMP/unlisted.json" build selftest \
    no-such-lab >"$TMP/unlisted.out" 2>&1
check "a lab that cannot be listed makes the grader exit 2" [ $? -eq 2 ]
check "the other labs are still graded" \
    grep -q "^Score: $expected/$total" "$TMP/unlisted.out"

# A run cut short by its limit still reports, with the rest timed out.
./build/grader/grader --results "$TMP/cut.json" --run-limit 0.3 build \
    selftest >"$TMP/cut.out" 2>&1
check "a run past its limit exits 1" [ $? -eq 1 ]
check "a run past its limit says so" \
    grep -q "the whole grade passed its limit of 0.3 s" "$TMP/cut.out"
check "a run past its limit still writes results.json" \
    grep -q '"max_score": 2[0-9]' "$TMP/cut.json"

# An interrupted run cleans up and still reports what it finished.
timeout --preserve-status -s INT 0.3 ./build/grader/grader --results "$TMP/int.json" build \
    selftest >"$TMP/int.out" 2>&1
check "an interrupted run exits 128+SIGINT" [ $? -eq 130 ]
check "an interrupted run says so" \
    grep -q "the grade was interrupted by SIGINT" "$TMP/int.out"
check "an interrupted run still writes results.json" [ -s "$TMP/int.json" ]

# --- the reference solutions score full marks ------------------------------

# A student handout has no solutions/, so the checks that need it are skipped.
max=
if [ -d solutions ]; then
$MAKE --no-print-directory grade SOLUTIONS=1 RESULTS="$TMP/solutions.json" \
    >"$TMP/solutions.out" 2>&1
status=$?
score=$(json_number score "$TMP/solutions.json")
max=$(json_number max_score "$TMP/solutions.json")
check "make grade SOLUTIONS=1 exits 0" [ "$status" -eq 0 ]
check "solutions have points to earn ($max)" [ "${max:-0}" -gt 0 ]
check "solutions score full marks ($score/$max)" \
    [ "${score:-none}" = "${max:-0}" ]
[ "$status" -eq 0 ] || cat "$TMP/solutions.out"

# Where this user can make PID namespaces, as root or through a user
# namespace, the tests must run in one, and otherwise the grader warns.
as_user=
[ "$(id -u)" -eq 0 ] || as_user="-U -r"
# shellcheck disable=SC2086 # as_user is empty or two options
if ! command -v unshare >/dev/null 2>&1; then
    echo "skip  the PID namespace check: no unshare command here"
elif unshare $as_user -p -m -f --mount-proc true 2>/dev/null; then
    check "the grader says the tests run in a PID namespace" \
        grep -q "in a PID namespace" "$TMP/solutions.out"
else
    check "the grader notes that the tests have no namespaces" \
        grep -q "gives the tests no namespaces" "$TMP/solutions.out"
fi

# Root gets a pids cgroup where the pids controller has a cgroup v1
# folder. Elsewhere the limits line gives the reason there is none.
if [ "$(id -u)" -eq 0 ] && [ -w /sys/fs/cgroup/pids ]; then
    check "the grader says the tests run in a pids cgroup" \
        grep -q "in a pids cgroup of" "$TMP/solutions.out"
else
    check "the grader says why there is no pids cgroup" \
        grep -q "no pids cgroup (" "$TMP/solutions.out"
fi

# Check's own variables must not change how a lab is graded.
CK_FORK=no CK_RUN_CASE=none CK_DEFAULT_TIMEOUT=0.001 \
    CK_TIMEOUT_MULTIPLIER=0.001 CK_INCLUDE_TAGS=none \
    $MAKE --no-print-directory grade SOLUTIONS=1 RESULTS="$TMP/ck-env.json" \
    >"$TMP/ck-env.out" 2>&1
check "Check's environment variables change nothing" \
    [ "$(json_number score "$TMP/ck-env.json")" = "$max" ]
else
    echo "skip  the checks of solutions/, which this copy does not have"
fi

# --- the starter code scores less, in bounded time ---------------------------

labs=$(cd labs && ls -d [0-9][0-9]-*)

# The starter as committed: a student's finished work in labs/ must not
# turn this check red. Outside a git checkout, labs/ is the starter.
mkdir "$TMP/starter"
if git rev-parse --verify -q HEAD >/dev/null 2>&1 &&
    git archive HEAD labs 2>/dev/null | tar -x -C "$TMP/starter" 2>/dev/null
then
    starter=$TMP/starter/labs
else
    starter=labs
fi
start=$(date +%s)
$MAKE --no-print-directory grade SUBMISSION="$starter" \
    SUBMISSION_BUILD="$TMP/starter-build" RESULTS="$TMP/starter.json" \
    >"$TMP/starter.out" 2>&1
make_status=$?
elapsed=$(($(date +%s) - start))
score=$(json_number score "$TMP/starter.json")
[ -n "$max" ] || max=$(json_number max_score "$TMP/starter.json")
check "make grade on the starter fails" [ "$make_status" -ne 0 ]
check "the starter scores below full marks ($score/$max)" \
    [ "${score:-99999}" -lt "$max" ]
# shellcheck disable=SC2086 # one argument per lab
./build/grader/grader "$TMP/starter-build" $labs >/dev/null 2>&1
check "the grader exits 1, not 2, on the starter" [ $? -eq 1 ]
check "the starter is graded within 120 s (took $elapsed s)" \
    [ "$elapsed" -lt 120 ]
check "every failing starter test says where to look" \
    [ "$(grep -c '^  FAIL' "$TMP/starter.out")" = \
      "$(grep -c 'Where to look:' "$TMP/starter.out")" ]

# --- a submission folder --------------------------------------------------

mkdir -p "$TMP/submission"
cp -r labs/. "$TMP/submission/"
if [ -d solutions ]; then
for lab in $(cd solutions && ls); do
    cp solutions/"$lab"/*.c "$TMP/submission/$lab/"
done
fi
# A header of its own must not change what the tests see.
for lab in $labs; do
    for h in labs/"$lab"/*.h; do
        echo '#error "a submission header was used"' \
            >"$TMP/submission/$lab/$(basename "$h")"
    done
done
$MAKE --no-print-directory grade SUBMISSION="$TMP/submission" \
    SUBMISSION_BUILD="$TMP/sub-build" RESULTS="$TMP/submission.json" \
    >"$TMP/submission.out" 2>&1
if [ -d solutions ]; then
check "a submission with the solutions scores full marks" \
    [ "$(json_number score "$TMP/submission.json")" = "$max" ]
else
    echo "skip  a submission of the solutions: no solutions/ here"
fi

first_lab=$(echo "$labs" | head -n 1)
for f in "$TMP/submission/$first_lab"/*.c; do
    case $f in */main.c) ;; *) cat >>"$f" <<'EOC' ;; esac
#include <unistd.h>
__attribute__((constructor)) static void run_before_main(void)
{
    write(1, "result\t0\tpassed\n", 16);
}
EOC
done
$MAKE --no-print-directory grade SUBMISSION="$TMP/submission" \
    SUBMISSION_BUILD="$TMP/sub-build" RESULTS="$TMP/constructor.json" \
    >"$TMP/constructor.out" 2>&1
check "a submission with a constructor does not compile" \
    grep -q "constructors and destructors are not allowed" \
    "$TMP/constructor.out"

for f in "$TMP/submission/$first_lab"/*.c; do
    case $f in */main.c) ;; *) echo "this is not C" >>"$f" ;; esac
done
$MAKE --no-print-directory grade SUBMISSION="$TMP/submission" \
    SUBMISSION_BUILD="$TMP/sub-build" RESULTS="$TMP/broken.json" \
    >"$TMP/broken.out" 2>&1
status=$?
check "a lab that does not compile fails the grade" [ "$status" -ne 0 ]
check "a lab that does not compile shows the compiler's errors" \
    grep -q "did not build" "$TMP/broken.out"
check "a lab that does not compile scores 0 for that lab" \
    grep -q "subtotal $first_lab: 0/" "$TMP/broken.out"

# --- hostile submissions of a real lab cannot hang, fool or escape the grader

sh tests/hostile.sh >"$TMP/hostile.out" 2>&1
while IFS= read -r line; do
    case $line in
    "ok    "*) ok "hostile ${line#ok    }" ;;
    "FAIL  "*) fail "hostile ${line#FAIL  }" ;;
    "      "*) echo "$line" ;;
    esac
done <"$TMP/hostile.out"

# The same, for the worst of them, where the grader has no namespaces.
PROCLAB_NO_NAMESPACE=1 \
    HOSTILE_ONLY="leaked-ipc setsid-escapee thread-fork-bomb" \
    sh tests/hostile.sh >"$TMP/hostile-no-ns.out" 2>&1
while IFS= read -r line; do
    case $line in
    "ok    "*) ok "hostile, no namespaces: ${line#ok    }" ;;
    "FAIL  "*) fail "hostile, no namespaces: ${line#FAIL  }" ;;
    "      "*) echo "$line" ;;
    esac
done <"$TMP/hostile-no-ns.out"

# --- grading a class, Gradescope, the student tarball ------------------------

sh tests/run-autograde-tests.sh >"$TMP/autograde.out" 2>&1
while IFS= read -r line; do
    case $line in
    "ok    "*) ok "autograde: ${line#ok    }" ;;
    "FAIL  "*) fail "autograde: ${line#FAIL  }" ;;
    "      "*) echo "$line" ;;
    esac
done <"$TMP/autograde.out"

# --- the tests catch the mistakes students make -------------------------------

sh tests/mutants.sh >"$TMP/mutants.out" 2>&1
mutants_status=$?
while IFS= read -r line; do
    case $line in
    MUTANT* | mutants:*) ;;
    *SURVIVED* | *"no longer applies"*) fail "mutant ${line%% *}" "$line" ;;
    *) ok "mutant ${line%% *} is killed" ;;
    esac
done <"$TMP/mutants.out"
check "make mutants succeeds" [ "$mutants_status" -eq 0 ]

# --- nothing is left behind ------------------------------------------------

left=$(leftover_processes)
check "no process from build/ is left running" [ -z "$left" ]
[ -z "$left" ] || echo "$left"
check "no test directory is left in \$TMPDIR" [ -z "$(ls -A "$TMPDIR")" ]
check "no /dev/shm or /dev/mqueue object is left" \
    [ "$(ipc_objects)" = "$ipc_before" ]
left=$(stale_cgroups)
check "no pids cgroup of an ended grader is left" [ -z "$left" ]
[ -z "$left" ] || echo "$left"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
