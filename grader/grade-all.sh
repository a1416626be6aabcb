#!/bin/sh
# grade-all.sh DIR - grade every submission folder in DIR, several at once.
#
# Run by "make grade-all SUBMISSIONS=DIR", which first builds what every
# grade shares (the library, the harness, the test objects and the
# grader), so that the grades started here only build files of their own.
# Each folder DIR/NAME is laid out like labs/ and is graded by
#
#   make grade SUBMISSION=OUT/NAME/submission SUBMISSION_BUILD=OUT/NAME/build
#              RESULTS=OUT/NAME/results.json
#
# where OUT/NAME/submission is a copy of the student files in DIR/NAME
# (each .c file of a lab but main.c). Only regular files are copied,
# because a symbolic link in a submission could bring in any file of this
# machine, solutions/ included. NAME is the folder name with every
# character other than A-Z a-z 0-9 . _ - replaced by "_", because make
# cannot handle spaces in file names. After each grade the build folder
# is removed, and results.json and grade.log stay. Folders whose name
# starts with "." are skipped.
#
# Environment, set by the Makefile:
#   MAKE         the make to run
#   OUT          where results go (build/all)
#   JOBS         how many submissions to grade at once
#   GRADE_LIMIT  seconds one submission may take to build and grade.
#                Past it the grade gets SIGTERM, so the grader still
#                writes the results it has, and SIGKILL 10 s later.
#   LABS         the lab folders, in the order of the summary's columns
#
# Prints "[N/TOTAL] NAME SCORE/MAX in S s" as each submission finishes,
# then writes OUT/summary.csv and OUT/summary.json. Exits 0 when every
# submission was graded to the end (whatever its score), 1 when one timed
# out or could not be graded, and 2 on a usage error.

set -u
LC_ALL=C
export LC_ALL

MAKE=${MAKE:-make}
OUT=${OUT:-build/all}
JOBS=${JOBS:-2}
GRADE_LIMIT=${GRADE_LIMIT:-900}
LABS=${LABS:-$(cd labs && ls -d [0-9][0-9]-*)}

die() {
    echo "grade-all: $*" >&2
    exit 2
}

[ $# -eq 1 ] || die "usage: grade-all.sh DIR (one folder per submission)"
[ -d "$1" ] || die "SUBMISSIONS=$1 is not a folder"
command -v timeout >/dev/null 2>&1 ||
    die "the timeout command is missing; install GNU coreutils"
case $JOBS in
'' | *[!0-9]* | 0) die "invalid JOBS=$JOBS: expected a positive integer" ;;
esac
case $GRADE_LIMIT in
'' | *[!0-9.]*) die "invalid GRADE_LIMIT=$GRADE_LIMIT: expected seconds" ;;
esac
root=$(cd "$1" && pwd -P) || die "cannot open the folder $1"
for lab_dir in "$root"/[0-9][0-9]-*/; do
    [ -d "$lab_dir" ] && die "$1 looks like one submission (it has" \
        "${lab_dir#"$root"/}); give the folder that contains one folder per" \
        "submission, or grade it alone with make grade SUBMISSION=$1"
done

found=
for path in "$root"/*/; do
    [ -d "$path" ] && found=1 && break
done
[ -n "$found" ] || die "no submission folders in $1"

# OUT contains only this run's results. The run's own bookkeeping (the
# submission list, claims, PID files, the progress FIFO) is in OUT/.run.
rm -rf "$OUT"
mkdir -p "$OUT/.run" || die "cannot create $OUT/.run"
run=$OUT/.run
tab=$(printf '\t')

now_ms() {
    ns=$(date +%s%N)
    case $ns in
    *N) echo $(($(date +%s) * 1000)) ;;
    *) echo $((ns / 1000000)) ;;
    esac
}

# --- the list of submissions ------------------------------------------------

# $run/names lists one submission name per line, and $run/folders lists,
# on the same line, the folder under OUT for that submission.
: >"$run/names"
: >"$run/folders"
for path in "$root"/*/; do
    [ -d "$path" ] || continue
    path=${path%/}
    name=${path##*/}
    case $name in
    *[[:cntrl:]]*)
        echo "grade-all: skipping a folder whose name has a control" \
            "character: $(printf '%s' "$name" | tr '[:cntrl:]' '?')" >&2
        continue
        ;;
    esac
    folder=$(printf '%s' "$name" | tr -c 'A-Za-z0-9._-' '_')
    case $folder in summary.csv | summary.json) folder=_$folder ;; esac
    base=$folder
    n=2
    while grep -qxF -- "$folder" "$run/folders"; do
        folder=$base-$n
        n=$((n + 1))
    done
    printf '%s\n' "$name" >>"$run/names"
    printf '%s\n' "$folder" >>"$run/folders"
done
count=$(wc -l <"$run/names")
count=$((count + 0))
[ "$count" -gt 0 ] || die "no submission folders in $1"
[ "$JOBS" -le "$count" ] || JOBS=$count

line_of() {
    sed -n "$1p" "$2"
}

# --- grading one submission -------------------------------------------------

# copy_student_files FROM TO: copy the student files of each lab graded
# from FROM/LAB to TO/LAB, leaving out symbolic links and files inside a
# linked lab folder.
copy_student_files() {
    for lab in $LABS; do
        [ -L "$1/$lab" ] && continue
        for file in labs/"$lab"/*.c; do
            file=${file##*/}
            [ "$file" = main.c ] && continue
            [ -f "$1/$lab/$file" ] && [ ! -L "$1/$lab/$file" ] || continue
            mkdir -p "$2/$lab"
            cp "$1/$lab/$file" "$2/$lab/$file"
        done
    done
}

# grade_one INDEX: grade the submission on line INDEX and leave its
# results.json, grade.log and outcome (OUT/NAME/outcome: status, make's
# exit status, milliseconds) in OUT/NAME.
grade_one() {
    name=$(line_of "$1" "$run/names")
    dir=$OUT/$(line_of "$1" "$run/folders")
    mkdir -p "$dir/submission"
    copy_student_files "$root/$name" "$dir/submission"
    start=$(now_ms)
    # timeout puts the grade in a process group of its own and signals
    # the whole group, so the compiler, make and the grader all stop.
    # shellcheck disable=SC2086 # MAKE may carry arguments
    timeout -k 10 "$GRADE_LIMIT" $MAKE --no-print-directory grade \
        SUBMISSION="$dir/submission" SUBMISSION_BUILD="$dir/build" \
        RESULTS="$dir/results.json" >"$dir/grade.log" 2>&1 </dev/null &
    grade_pid=$!
    echo "$grade_pid" >"$run/pid.$1"
    # The stop flag is set before stop() reads the PID files, so a grade
    # started after that read is stopped here.
    [ -e "$run/stop" ] && kill -TERM "$grade_pid" 2>/dev/null
    wait "$grade_pid" 2>/dev/null
    status=$?
    rm -f "$run/pid.$1"
    elapsed=$(($(now_ms) - start))
    rm -rf "$dir/build"

    if [ -e "$run/stop" ]; then
        outcome=interrupted
    elif [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
        outcome="timed out"
    elif [ ! -s "$dir/results.json" ]; then
        outcome="not graded"
    else
        # make exits 2 whenever the grader fails, so read the grader's own
        # exit status from make's last line. It is 1 when tests failed
        # and 2 when a lab could not be graded at all.
        grader=$(sed -n 's/.*grade\] Error \([0-9]*\)$/\1/p' \
            "$dir/grade.log" | tail -n 1)
        case ${grader:-0} in
        0 | 1) outcome=graded ;;
        *) outcome="grader error $grader" ;;
        esac
    fi
    printf '%s\t%s\t%s\n' "$outcome" "$status" "$elapsed" >"$dir/outcome"
}

worker() {
    i=1
    while [ "$i" -le "$count" ]; do
        [ -e "$run/stop" ] && break
        if mkdir "$run/claim.$i" 2>/dev/null; then
            grade_one "$i"
            echo "$i"
        fi
        i=$((i + 1))
    done
}

# --- reading results.json ---------------------------------------------------

# test_lines FILE: print one line per test of results.json FILE, "lab
# score max status".
test_lines() {
    [ -f "$1" ] || return 0
    sed -n 's/^    {"name": "\([^:"]*\): .*", "score": \([0-9]*\), "max_score": \([0-9]*\), "status": "\([a-z]*\)", .*/\1 \2 \3 \4/p' \
        "$1"
}

json_number() {
    [ -f "$2" ] || return 0
    grep -o "\"$1\": [0-9]*" "$2" | head -n 1 | sed 's/.*: //'
}

# seconds MS: milliseconds as seconds with one decimal.
seconds() {
    printf '%d.%d' $(($1 / 1000)) $(($1 % 1000 / 100))
}

# --- progress -----------------------------------------------------------------

show_progress() {
    done_count=0
    while IFS= read -r i; do
        done_count=$((done_count + 1))
        name=$(line_of "$i" "$run/names")
        dir=$OUT/$(line_of "$i" "$run/folders")
        IFS=$tab read -r outcome status elapsed <"$dir/outcome"
        score=$(json_number score "$dir/results.json")
        max=$(json_number max_score "$dir/results.json")
        case $outcome in
        graded) note= ;;
        *) note=" ($outcome; see $dir/grade.log)" ;;
        esac
        printf '[%d/%d] %s %s/%s in %s s%s\n' "$done_count" "$count" \
            "$name" "${score:-0}" "${max:-?}" "$(seconds "$elapsed")" "$note"
    done
}

# --- stopping early ---------------------------------------------------------

workers=
reader=

stop() {
    trap '' INT TERM
    echo "grade-all: interrupted; stopping the grades in progress" >&2
    touch "$run/stop"
    for f in "$run"/pid.*; do
        [ -f "$f" ] && kill -TERM "$(cat "$f")" 2>/dev/null
    done
    wait
    rm -rf "$run"
    exit 130
}
trap stop INT TERM

# --- run ------------------------------------------------------------------------

echo "grade-all: $count submissions from $root, $JOBS at a time," \
    "at most $GRADE_LIMIT s each"
started=$(now_ms)
mkfifo "$run/progress" || die "mkfifo $run/progress failed"
show_progress <"$run/progress" &
reader=$!
# Keep the FIFO open for writing while the workers start, so that the
# reader cannot see end-of-file before the first worker has it open.
exec 3>"$run/progress"
w=0
while [ "$w" -lt "$JOBS" ]; do
    worker >&3 &
    workers="$workers $!"
    w=$((w + 1))
done
exec 3>&-
# shellcheck disable=SC2086 # one PID per word
wait $workers
wait "$reader"
trap - INT TERM
total_ms=$(($(now_ms) - started))

# --- summaries ----------------------------------------------------------------

csv_field() {
    printf '"%s"' "$(printf '%s' "$1" | sed 's/"/""/g')"
}

json_string() {
    printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')"
}

csv=$OUT/summary.csv
json=$OUT/summary.json
{
    printf 'submission'
    for lab in $LABS; do printf ',%s' "$lab"; done
    printf ',total,max,seconds,failed_tests,status,results\n'
} >"$csv"
printf '{\n  "labs": [' >"$json"
sep=
for lab in $LABS; do
    printf '%s"%s"' "$sep" "$lab" >>"$json"
    sep=", "
done
printf '],\n  "submissions": [' >>"$json"

problems=0
i=1
while [ "$i" -le "$count" ]; do
    name=$(line_of "$i" "$run/names")
    dir=$OUT/$(line_of "$i" "$run/folders")
    results=$dir/results.json
    if [ -f "$dir/outcome" ]; then
        IFS=$tab read -r outcome status elapsed <"$dir/outcome"
    else
        outcome="not graded"
        elapsed=0
    fi
    [ "$outcome" = graded ] || problems=$((problems + 1))
    test_lines "$results" >"$run/tests"
    total=$(json_number score "$results")
    max=$(json_number max_score "$results")
    failed=$(grep -c ' failed$' "$run/tests")
    if [ ! -f "$results" ]; then
        failed=
        results=
    fi

    csv_field "$name" >>"$csv"
    [ "$i" -gt 1 ] && printf ',' >>"$json"
    {
        printf '\n    {"submission": '
        json_string "$name"
        printf ', "labs": {'
    } >>"$json"
    sep=
    for lab in $LABS; do
        # "SCORE MAX", or empty when the lab is missing from results.json.
        sums=$(awk -v lab="$lab" '$1 == lab { s += $2; m += $3; n++ }
            END { if (n) print s, m }' "$run/tests")
        printf ',%s' "${sums% *}" >>"$csv"
        if [ -n "$sums" ]; then
            printf '%s"%s": {"score": %s, "max": %s}' "$sep" "$lab" \
                "${sums% *}" "${sums#* }" >>"$json"
        else
            printf '%s"%s": null' "$sep" "$lab" >>"$json"
        fi
        sep=", "
    done
    printf ',%s,%s,%s,%s,%s,%s\n' "${total:-0}" "$max" \
        "$(seconds "$elapsed")" "$failed" "$outcome" "$results" >>"$csv"
    {
        printf '}, "total": %s, "max": %s, "seconds": %s, ' "${total:-0}" \
            "${max:-null}" "$(seconds "$elapsed")"
        printf '"failed_tests": %s, "status": "%s", "results": ' \
            "$failed" "$outcome"
        json_string "$results"
        printf '}'
    } >>"$json"
    i=$((i + 1))
done
printf '\n  ]\n}\n' >>"$json"
rm -rf "$run"

echo "grade-all: $count submissions in $(seconds "$total_ms") s;" \
    "summaries in $csv and $json"
if [ "$problems" -gt 0 ]; then
    echo "grade-all: $problems of $count submissions were not graded to" \
        "the end; see the status column and each grade.log" >&2
    exit 1
fi
exit 0
