#!/bin/sh
# mutants.sh [LAB...] - grade every mutant and check that each loses points.
#
# A mutant is a wrong solution that makes a mistake students really make.
# Each is kept as a patch against the reference solution:
#
#   tests/mutants/NN-topic/NAME.patch
#
# The lines before the patch's first "---" line say what the mistake is.
# Every mutant is applied to a copy of solutions/NN-topic and graded as a
# submission. The script prints a table of mutant, lab, score and first
# failing test, and fails when a mutant scores full marks, or when a
# patch no longer applies.

set -u
MAKE=${MAKE:-make}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/proclab-mutants.XXXXXX")
trap 'rm -rf "$TMP"' EXIT INT TERM
killed=0
survived=0
broken=0

if [ $# -gt 0 ]; then
    labs=$*
else
    labs=$(cd tests/mutants 2>/dev/null && ls -d [0-9][0-9]-* 2>/dev/null)
fi

json_number() {
    grep -o "\"$1\": [0-9]*" "$2" | head -n 1 | sed 's/.*: //'
}

# The name of the first test in results.json that did not pass.
first_failure() {
    grep -o '"name": "[^"]*", "score": [0-9]*, "max_score": [0-9]*, "status": "failed"' \
        "$1" | head -n 1 | sed 's/"name": "[^:]*: \([^"]*\)".*/\1/'
}

printf '%-40s %-20s %7s  %s\n' MUTANT LAB SCORE "FIRST FAILING TEST"
for lab in $labs; do
    for patch in tests/mutants/"$lab"/*.patch; do
        [ -f "$patch" ] || continue
        name=$(basename "$patch" .patch)
        rm -rf "$TMP/sub"
        mkdir -p "$TMP/sub/$lab"
        cp solutions/"$lab"/*.c "$TMP/sub/$lab/"
        if ! patch -s -p1 -d "$TMP/sub/$lab" <"$patch" >"$TMP/patch.out" 2>&1
        then
            printf '%-40s %-20s %7s  %s\n' "$name" "$lab" "-" \
                "the patch no longer applies"
            broken=$((broken + 1))
            continue
        fi
        # A build folder and results file of this run's own, so that
        # other grades in the same tree cannot mix into these.
        rm -f "$TMP/results.json"
        $MAKE --no-print-directory grade LAB="${lab%%-*}" \
            SUBMISSION="$TMP/sub" SUBMISSION_BUILD="$TMP/build" \
            RESULTS="$TMP/results.json" >"$TMP/grade.out" 2>&1
        score=$(json_number score "$TMP/results.json" 2>/dev/null)
        max=$(json_number max_score "$TMP/results.json" 2>/dev/null)
        if [ -z "$score" ] || [ "$score" = "$max" ]; then
            survived=$((survived + 1))
            printf '%-40s %-20s %7s  %s\n' "$name" "$lab" \
                "${score:-?}/${max:-?}" "SURVIVED: no test failed"
        else
            killed=$((killed + 1))
            printf '%-40s %-20s %7s  %s\n' "$name" "$lab" "$score/$max" \
                "$(first_failure "$TMP/results.json")"
        fi
    done
done

echo "mutants: $killed killed, $survived survived, $broken broken"
[ "$survived" -eq 0 ] && [ "$broken" -eq 0 ]
