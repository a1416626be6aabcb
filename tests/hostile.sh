#!/bin/sh
# hostile.sh - grade hostile submissions and check the grader holds.
#
# Each file tests/hostile/LAB/NAME.c is the body of one lab function that
# misbehaves on purpose: it loops, forks without end, escapes its session,
# crashes, floods its output, leaks IPC objects, closes its output, exits
# early or prints fake results. Its first line names a fragment the
# grader's output must contain: "/* Expect: TEXT */". The script adds
# starter stubs for the lab's other functions, grades the result as a
# submission and checks that the grade finished in time, scored 0, said
# what happened, and left no process, IPC object or test folder behind.
# Each check prints "ok" or "FAIL" like tests/run-tests.sh.

set -u
MAKE=${MAKE:-make}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/proclab-hostile.XXXXXX")
mkdir "$TMP/tmp"
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

# The rest of lab 01's student file: every other function a stub.
fork_memory_prelude() {
    cat <<'EOC'
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fork_memory.h"

int fm_global = 1;

int fm_square_in_child(int n)
{
    (void)n;
    errno = ENOSYS;
    return -1;
}

int fm_same_address(struct fm_address_report *r)
{
    (void)r;
    errno = ENOSYS;
    return -1;
}

int fm_touch_in_child(char *buf, size_t len, size_t pages, int write,
                      struct fm_cow_report *r)
{
    (void)buf, (void)len, (void)pages, (void)write, (void)r;
    errno = ENOSYS;
    return -1;
}

int fm_change_after_fork(int *heap, struct fm_values *child_seen)
{
    (void)heap, (void)child_seen;
    errno = ENOSYS;
    return -1;
}

EOC
}

json_number() {
    grep -o "\"$1\": [0-9]*" "$2" | head -n 1 | sed 's/.*: //'
}

leftovers() {
    tmp=$(cd "$TMP" && pwd -P)
    for exe in /proc/[0-9]*/exe; do
        target=$(readlink "$exe" 2>/dev/null) || continue
        case $target in "$tmp"/*) echo "process ${exe%/exe}" ;; esac
    done
    ls /dev/shm /dev/mqueue 2>/dev/null | grep '^hostile-'
    ls "$TMP/tmp"
}

lab=01-fork-memory
for body in tests/hostile/$lab/*.c; do
    name=$(basename "$body" .c)
    # HOSTILE_ONLY="NAME..." grades only those bodies.
    case " ${HOSTILE_ONLY:-$name} " in
    *" $name "*) ;;
    *) continue ;;
    esac
    expect=$(sed -n '1s|^/\* Expect: \(.*\) \*/$|\1|p' "$body")
    rm -rf "$TMP/sub" "$TMP/build"
    mkdir -p "$TMP/sub/$lab"
    { fork_memory_prelude; cat "$body"; } >"$TMP/sub/$lab/fork_memory.c"

    start=$(date +%s)
    TMPDIR=$TMP/tmp $MAKE --no-print-directory grade LAB=01 \
        SUBMISSION="$TMP/sub" SUBMISSION_BUILD="$TMP/build" \
        RESULTS="$TMP/results.json" >"$TMP/out" 2>&1
    elapsed=$(($(date +%s) - start))
    score=$(json_number score "$TMP/results.json" 2>/dev/null)

    # Well inside the lab's own deadline (its tests' deadlines plus 10 s),
    # so that a cleanup that only ends at that deadline shows here.
    if [ "$elapsed" -le 45 ]; then
        ok "$name: graded in $elapsed s"
    else
        fail "$name: graded in $elapsed s, more than 45"
    fi
    if [ "${score:-none}" = 0 ]; then
        ok "$name: scores 0"
    else
        fail "$name: scores ${score:-nothing}, not 0" "$(tail -n 3 "$TMP/out")"
    fi
    if grep -qF -- "$expect" "$TMP/out"; then
        ok "$name: says what happened"
    else
        fail "$name: says what happened" "expected the text: $expect"
    fi
    if [ "$(tail -n 2 "$TMP/out" | grep -c '^Score: 0/')" = 1 ]; then
        ok "$name: the grader's own score line comes last"
    else
        fail "$name: the grader's own score line comes last" \
            "$(tail -n 2 "$TMP/out")"
    fi
    left=$(leftovers)
    if [ -z "$left" ]; then
        ok "$name: leaves nothing behind"
    else
        fail "$name: leaves nothing behind" "$left"
    fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
