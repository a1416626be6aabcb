#!/bin/sh
# run-autograde-tests.sh - the project's tests of the tools for grading a
# class (grader/autograde.mk): make gradescope, make handout and make
# grade-all.
#
# Each check prints one line, "ok" or "FAIL", and the script ends with
# "N passed, N failed" and a non-zero status when anything failed. The
# zip and the tarball are written to build/ as usual, then unpacked,
# built and graded under a temporary folder, where grade-all also writes
# its results, so that a class graded in build/all stays. A copy without
# solutions/ (a handout) skips every check.

set -u
MAKE=${MAKE:-make}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/proclab-autograde.XXXXXX")
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

json_number() {
    grep -o "\"$1\": [0-9]*" "$2" 2>/dev/null | head -n 1 | sed 's/.*: //'
}

if [ ! -d solutions ]; then
    echo "skip  the autograding checks need solutions/, which this copy" \
        "does not have"
    echo "0 passed, 0 failed"
    exit 0
fi

# Test directories of the graded code go here, so that the check at the
# end finds only this run's. The folder is private (0700): a test run as
# root must still reach it.
mkdir "$TMP/tmp"
TMPDIR=$TMP/tmp
export TMPDIR

labs=$(cd labs && ls -d [0-9][0-9]-*)
first_lab=$(echo "$labs" | head -n 1)

# --- submissions ------------------------------------------------------------

# Three submissions: the starter as committed (as tests/run-tests.sh takes
# it), a copy of the solutions, and that copy with the first lab broken.
mkdir "$TMP/starter-tree"
if git rev-parse --verify -q HEAD >/dev/null 2>&1 &&
    git archive HEAD labs 2>/dev/null | tar -x -C "$TMP/starter-tree" \
        2>/dev/null
then
    starter=$TMP/starter-tree/labs
else
    starter=labs
fi
mkdir "$TMP/solved"
cp -r solutions/. "$TMP/solved/"
mkdir "$TMP/broken"
cp -r solutions/. "$TMP/broken/"
for f in "$TMP/broken/$first_lab"/*.c; do
    echo "this is not C" >>"$f"
done

# --- no solution code leaves the repository ------------------------------------

# Lines of each solution file that no public file of the repository
# contains, not even within a longer line, and that have at least 20
# characters besides blanks: finding one in a package means solution code
# got into it.
git -c core.quotePath=false ls-files -co --exclude-standard 2>/dev/null |
    grep -v -e '^solutions/' -e '^tests/mutants/' >"$TMP/public.list"
[ -s "$TMP/public.list" ] ||
    find . -path ./build -prune -o -path ./solutions -prune -o \
        -path ./tests/mutants -prune -o -type f -print >"$TMP/public.list"
tr '\n' '\0' <"$TMP/public.list" | xargs -0 cat >"$TMP/public.txt"
for src in solutions/*/*.c; do
    sed 's/^[[:space:]]*//; s/[[:space:]]*$//' "$src" |
        awk -v src="$src" 'length($0) >= 20 { print src "\t" $0 }' |
        sort -u
done >"$TMP/candidates"
awk -F '\t' '
    NR == FNR { src[NR] = $1; text[NR] = substr($0, length($1) + 2)
                open[NR] = 1; next }
    { for (i in open) if (index($0, text[i])) delete open[i] }
    END { for (i in open) print src[i] "\t" text[i] }' \
    "$TMP/candidates" "$TMP/public.txt" >"$TMP/distinctive.tsv"
cut -f 2 "$TMP/distinctive.tsv" >"$TMP/distinctive"
for src in solutions/*/*.c; do
    check "$src has lines that no public file has" \
        grep -q "^$src	" "$TMP/distinctive.tsv"
done

# check_no_solution_code NAME DIR: pass when no file under DIR, outside
# its build/, contains a line of $TMP/distinctive.
check_no_solution_code() {
    found=$(grep -rF --exclude-dir=build -f "$TMP/distinctive" "$2" |
        head -n 5)
    if [ -z "$found" ]; then ok "$1"; else fail "$1" "$found"; fi
}

# --- Gradescope -------------------------------------------------------------------

$MAKE --no-print-directory gradescope >"$TMP/gradescope.out" 2>&1
check "make gradescope writes build/autograder.zip" \
    [ -s build/autograder.zip ]
unzip -Z1 build/autograder.zip >"$TMP/zip.list" 2>/dev/null
check "setup.sh is at the top of the zip" grep -qx setup.sh "$TMP/zip.list"
check "run_autograder is at the top of the zip" \
    grep -qx run_autograder "$TMP/zip.list"
check "the zip has no solutions/ and no tests/mutants/" \
    [ -z "$(grep -e '^solutions/' -e '^tests/mutants/' "$TMP/zip.list")" ]

# The handout is built, unpacked and graded in the background while the
# Gradescope checks run, because each uses a tree of its own. Its checks
# come after the Gradescope ones.
(
    $MAKE --no-print-directory handout >"$TMP/handout.out" 2>&1
    mkdir "$TMP/handout"
    tar -xzf build/proclab-handout.tar.gz -C "$TMP/handout" &&
        touch "$TMP/handout.unpacked"
    cd "$TMP/handout/proclab" &&
        $MAKE --no-print-directory grade >"$TMP/handout-grade.out" 2>&1
) &
handout_job=$!

# A stand-in for /autograder, laid out as Gradescope lays it out.
ag=$TMP/autograder
mkdir -p "$ag/source"
unzip -q build/autograder.zip -d "$ag/source"
cp -p "$ag/source/run_autograder" "$ag/run_autograder"
check "run_autograder is executable" [ -x "$ag/run_autograder" ]
check_no_solution_code "the zip has no solution code" "$ag/source"

# gradescope NAME: grade what is in $ag/submission and leave the output in
# $TMP/NAME.out and the results in $TMP/NAME.json.
gradescope() {
    rm -rf "$ag/results"
    AUTOGRADER_ROOT=$ag "$ag/run_autograder" >"$TMP/$1.out" 2>&1
    cp "$ag/results/results.json" "$TMP/$1.json" 2>/dev/null
}

new_upload() {
    rm -rf "$ag/submission"
    mkdir -p "$ag/submission"
}

# The solutions first: their results give the points of every lab and of
# the first lab, which the other checks expect.
new_upload
cp -r solutions/. "$ag/submission/"
gradescope gs-solved
max=$(json_number max_score "$TMP/gs-solved.json")
first_max=$(sed -n "s/^    {\"name\": \"$first_lab: .*\", \"score\": [0-9]*, \"max_score\": \([0-9]*\),.*/\1/p" \
    "$TMP/gs-solved.json" | awk '{ s += $1 } END { print s + 0 }')
check "Gradescope: the solutions have points to earn (${max:-0})" \
    [ "${max:-0}" -gt 0 ]
check "Gradescope: the solutions score full marks" \
    [ "$(json_number score "$TMP/gs-solved.json")" = "$max" ]
listed=0
hidden=0
hidden_points=0
for list in "$ag/source/build/submission"/*/list; do
    "$list" --list >"$TMP/list.tsv" 2>/dev/null
    listed=$((listed + $(grep -c "^test	" "$TMP/list.tsv")))
    hidden=$((hidden + $(grep -c "^test	.*	hidden	" "$TMP/list.tsv")))
    hidden_points=$((hidden_points + $(awk -F '\t' \
        '$1 == "test" && $6 == "hidden" { s += $3 } END { print s + 0 }' \
        "$TMP/list.tsv")))
done
check "Gradescope: results.json has one entry per test ($listed)" \
    [ "$(grep -c '^    {"name": ' "$TMP/gs-solved.json")" -eq "$listed" ]
check "Gradescope: the repository has hidden tests ($hidden)" \
    [ "$hidden" -gt 0 ]
check "Gradescope: hidden tests are shown after the due date" \
    [ "$(grep -c '"visibility": "after_due_date"' "$TMP/gs-solved.json")" \
        -eq "$hidden" ]
check "Gradescope: the other tests are visible" \
    [ "$(grep -c '"visibility": "visible"' "$TMP/gs-solved.json")" \
        -eq $((listed - hidden)) ]

# The GitHub Classroom workflow turns the same results into its own.
sh grader/classroom-result.sh "$TMP/gs-solved.json" >"$TMP/classroom.json"
check "Classroom: one result per test" \
    [ "$(grep -o '"message": ' "$TMP/classroom.json" | wc -l)" -eq "$listed" ]
check "Classroom: the points add up to full marks" \
    [ "$(grep -o '"score": [0-9]*' "$TMP/classroom.json" |
        awk '{ s += $2 } END { print s + 0 }')" = "$max" ]
check "Classroom: full marks are a pass" \
    grep -q '^{"version": 1, "status": "pass", ' "$TMP/classroom.json"
sh grader/classroom-result.sh "$TMP/no-such-file" >"$TMP/classroom.json"
check "Classroom: missing results are an error" \
    grep -q '^{"version": 1, "status": "error", ' "$TMP/classroom.json"

# A whole repository uploaded: the labs are under labs/.
new_upload
mkdir "$ag/submission/labs"
cp -r solutions/. "$ag/submission/labs/"
cp README.md Makefile "$ag/submission/"
gradescope gs-repo
check "Gradescope: a submission under labs/ scores full marks" \
    [ "$(json_number score "$TMP/gs-repo.json")" = "$max" ]

new_upload
cp -r "$starter"/. "$ag/submission/"
gradescope gs-starter
starter_score=$(json_number score "$TMP/gs-starter.json")
check "Gradescope: the starter scores below full marks" \
    [ "${starter_score:-99999}" -lt "$max" ]

# The student files of the first lab alone, at the top of the upload.
new_upload
cp solutions/"$first_lab"/*.c "$ag/submission/"
gradescope gs-files
check "Gradescope: files uploaded alone are found by name" \
    [ "$(json_number score "$TMP/gs-files.json")" = "$first_max" ]

# A symbolic link to a solution file must not be graded.
new_upload
mkdir "$ag/submission/$first_lab"
for f in "$PWD"/solutions/"$first_lab"/*.c; do
    ln -s "$f" "$ag/submission/$first_lab/${f##*/}"
done
gradescope gs-link
check "Gradescope: a symbolic link is not graded" \
    [ "$(json_number score "$TMP/gs-link.json")" = 0 ]

# A file the compiler never finishes reading: results.json must still
# give the reason for no points.
new_upload
mkdir "$ag/submission/$first_lab"
for f in solutions/"$first_lab"/*.c; do
    echo '#include "/dev/zero"' >"$ag/submission/$first_lab/${f##*/}"
done
GRADE_LIMIT=3 gradescope gs-hang
check "Gradescope: a build past GRADE_LIMIT still writes results.json" \
    [ "$(json_number score "$TMP/gs-hang.json")" = 0 ]
check "Gradescope: that results.json gives the reason" \
    grep -q '"output": "The build and grade did not finish in 3 s' \
    "$TMP/gs-hang.json"

# --- the students' handout --------------------------------------------------------

wait "$handout_job"
check "make handout writes build/proclab-handout.tar.gz" \
    [ -s build/proclab-handout.tar.gz ]
tar -tzf build/proclab-handout.tar.gz >"$TMP/handout.list" 2>/dev/null
check "the handout has no solutions/ and no tests/mutants/" \
    [ -z "$(grep -e '/solutions/' -e '/tests/mutants/' "$TMP/handout.list")" ]
check "the handout has no hidden tests" \
    [ -z "$(grep -e '/tests/[^/]*/hidden_' "$TMP/handout.list")" ]
check "the handout unpacks" [ -e "$TMP/handout.unpacked" ]
check_no_solution_code "the handout has no solution code" \
    "$TMP/handout/proclab"
handout_json=$TMP/handout/proclab/build/results.json
check "the handout builds and grades every public test" \
    [ "$(json_number max_score "$handout_json")" = $((max - hidden_points)) ]
check "the handout's grade runs no hidden test" \
    [ "$(grep -c '"visibility": "after_due_date"' "$handout_json")" -eq 0 ]
check "the handout's starter scores below full marks" \
    [ "$(json_number score "$handout_json")" -lt $((max - hidden_points)) ]

# --- grade-all --------------------------------------------------------------------

all=$TMP/all
class=$TMP/class
mkdir -p "$class/alice" "$class/bob smith" "$class/carol" "$class/dave"
cp -r "$TMP/solved"/. "$class/alice/"
cp -r "$TMP/solved"/. "$class/bob smith/"
cp -r "$starter"/. "$class/carol/"
cp -r "$TMP/broken"/. "$class/dave/"
$MAKE --no-print-directory grade-all SUBMISSIONS="$class" JOBS=2 \
    GRADE_ALL="$all" >"$TMP/grade-all.out" 2>&1
check "grade-all exits 0 when every submission was graded" [ $? -eq 0 ]
check "grade-all prints one progress line per submission" \
    [ "$(grep -c '^\[[1-4]/4\] ' "$TMP/grade-all.out")" -eq 4 ]

# csv_total NAME: the total column of NAME's row in summary.csv.
csv_total() {
    awk -F, -v name="\"$1\"" -v col="$(echo "$labs" | wc -l)" \
        '$1 == name { print $(col + 2) }' "$all/summary.csv"
}
check "grade-all: a copy of the solutions scores full marks" \
    [ "$(csv_total alice)" = "$max" ]
check "grade-all: a name with a space works" \
    [ "$(csv_total "bob smith")" = "$max" ]
check "grade-all: the starter scores as it does alone" \
    [ "$(csv_total carol)" = "$starter_score" ]
check "grade-all: a lab that does not compile loses only its points" \
    [ "$(csv_total dave)" = "$((max - first_max))" ]
check "grade-all writes one results.json per submission" \
    [ "$(find "$all" -name results.json | wc -l)" -eq 4 ]
check "summary.csv has a header and one row per submission" \
    [ "$(wc -l <"$all/summary.csv")" -eq 5 ]
check "summary.json lists every submission" \
    [ "$(grep -c '"submission": ' "$all/summary.json")" -eq 4 ]
check "summary.json has the total of each submission" \
    grep -q "\"submission\": \"bob smith\", .*\"total\": $max, " \
    "$all/summary.json"

# A submission whose build never ends is stopped at GRADE_LIMIT, and the
# others are graded meanwhile. One of them links to the solutions, which
# must not be graded.
hostile=$TMP/hostile
mkdir -p "$hostile/hangs/$first_lab" "$hostile/links/$first_lab" \
    "$hostile/fine"
for f in "$PWD"/solutions/"$first_lab"/*.c; do
    echo '#include "/dev/zero"' >"$hostile/hangs/$first_lab/${f##*/}"
    ln -s "$f" "$hostile/links/$first_lab/${f##*/}"
done
cp -r solutions/"$first_lab" "$hostile/fine/"
start=$(date +%s)
$MAKE --no-print-directory grade-all SUBMISSIONS="$hostile" LAB="$first_lab" \
    GRADE_LIMIT=5 GRADE_ALL="$all" >"$TMP/hostile.out" 2>&1
status=$?
elapsed=$(($(date +%s) - start))
check "grade-all fails when a submission timed out" [ "$status" -ne 0 ]
check "grade-all reports the submissions not graded" \
    grep -q "1 of 3 submissions were not graded to the end" "$TMP/hostile.out"
check "grade-all stops a build at GRADE_LIMIT (took $elapsed s)" \
    [ "$elapsed" -lt 30 ]
check "the timed-out submission is marked so" \
    grep -q '^"hangs",.*,timed out,' "$all/summary.csv"
check "the other submission still scores full marks" \
    grep -q "^\"fine\",$first_max,$first_max,$first_max," \
    "$all/summary.csv"
check "grade-all does not grade a symbolic link" \
    grep -q "^\"links\",0,0,$first_max," "$all/summary.csv"

# --- nothing is left behind ------------------------------------------------------

# Processes that run a program from this run's folders or from build/, or
# whose command line names this run's folder.
leftover_processes() {
    build=$(cd build && pwd -P)
    tmp=$(cd "$TMP" && pwd -P)
    for proc in /proc/[0-9]*; do
        exe=$(readlink "$proc/exe" 2>/dev/null) || continue
        args=$(cat "$proc/cmdline" 2>/dev/null | tr '\0' ' ')
        case "$exe $args" in
        "$build"/* | "$tmp"/* | *" $tmp"/* | *"=$tmp"/*)
            echo "${proc#/proc/} $exe $args" ;;
        esac
    done
}
left=$(leftover_processes)
check "no process is left running" [ -z "$left" ]
[ -z "$left" ] || echo "$left"
check "no test directory is left in \$TMPDIR" [ -z "$(ls -A "$TMPDIR")" ]

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
