#!/bin/sh
# flaky.sh RUNS - grade the solutions RUNS times and report any test whose
# result changed between runs.
#
# Half of the runs happen with every core kept busy by spinning shell
# loops that this script starts and stops itself, so that a test that
# depends on timing shows up here rather than in a student's grade.

set -u
runs=${1:-20}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/proclab-flaky.XXXXXX")
spinners=""

stop_spinners() {
    for pid in $spinners; do
        kill "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    spinners=""
}
# A signal must end the loop too, not only clean up after one run.
trap 'stop_spinners; rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

labs=$(cd labs && ls -d [0-9][0-9]-*)
${MAKE:-make} --no-print-directory grade SOLUTIONS=1 >"$TMP/build.out" 2>&1
cores=$(nproc 2>/dev/null || echo 2)

i=1
while [ "$i" -le "$runs" ]; do
    if [ $((i % 2)) -eq 0 ] && [ -z "$spinners" ]; then
        n=0
        while [ "$n" -lt "$cores" ]; do
            sh -c 'while :; do :; done' &
            spinners="$spinners $!"
            n=$((n + 1))
        done
    elif [ $((i % 2)) -eq 1 ]; then
        stop_spinners
    fi
    # shellcheck disable=SC2086 # one argument per lab
    ./build/grader/grader --results "$TMP/run.json" build/solutions $labs \
        >/dev/null 2>&1
    # One line per test: "name<TAB>status".
    sed -n 's/.*{"name": "\([^"]*\)", "score": [0-9]*, "max_score": [0-9]*, "status": "\([a-z]*\)".*/\1\t\2/p' \
        "$TMP/run.json" >>"$TMP/all.tsv"
    # Keep the messages of a run that failed anything, so that a change
    # can be explained afterwards and not only counted.
    if grep -q '"status": "failed"' "$TMP/run.json"; then
        grep '"status": "failed"' "$TMP/run.json" |
            sed "s/^/run $i: /" >>"$TMP/failures.txt"
    fi
    i=$((i + 1))
done
stop_spinners

tests=$(cut -f 1 "$TMP/all.tsv" | sort -u | wc -l)
changed=$(sort -u "$TMP/all.tsv" | cut -f 1 | uniq -d)
failed=$(grep -c "	failed$" "$TMP/all.tsv")
echo "$runs runs of $tests tests, half of them with $cores busy cores"
if [ -n "$changed" ]; then
    echo "tests whose result changed between runs:"
    printf '%s\n' "$changed" | while IFS= read -r name; do
        printf '  %s: passed %d, failed %d\n' "$name" \
            "$(grep -cF "$name	passed" "$TMP/all.tsv")" \
            "$(grep -cF "$name	failed" "$TMP/all.tsv")"
    done
fi
if [ -s "$TMP/failures.txt" ]; then
    echo "failed results, as the grader reported them:"
    cut -c 1-600 "$TMP/failures.txt"
fi
echo "$(echo "$changed" | grep -c .) changed, $failed failed results"
[ -z "$changed" ] && [ "$failed" -eq 0 ]
