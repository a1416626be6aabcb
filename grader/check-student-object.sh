#!/bin/sh
# check-student-object.sh OBJECT SOURCE
#
# Reject a compiled student file that could run code outside the tests or
# change code the grader relies on:
#   - constructors and destructors, which would run inside the test
#     program's main process, where the grader's results are written;
#   - GNU indirect functions, whose resolvers run when the program loads;
#   - global functions or variables that replace one of the C library's,
#     which the harness would then call too;
#   - calls into the test harness or Check, such as pl_test_end(), which
#     would let lab code report a test as passed.
# Prints the reason to stderr and exits 1, or exits 0.

obj=$1
src=$2

sections=$(objdump -h "$obj" | awk '{ print $2 }' |
    grep -E '^\.(preinit_array|init_array|fini_array|ctors|dtors)' |
    tr '\n' ' ')
if [ -n "$sections" ]; then
    echo "$src: constructors and destructors are not allowed in lab code" \
        "(found $sections): they would run inside the grader's own" \
        "process instead of a test" >&2
    exit 1
fi

ifuncs=$(nm "$obj" | awk '$2 == "i" { print $3 }' | tr '\n' ' ')
if [ -n "$ifuncs" ]; then
    echo "$src: indirect functions are not allowed in lab code" \
        "(found $ifuncs)" >&2
    exit 1
fi

harness=$(nm -u "$obj" | awk '{ print $2 }' |
    grep -E '^(pl_test|pl_fail|plh_|_ck_|ck_|srunner_|tcase_|suite_|tr_)' |
    tr '\n' ' ')
if [ -n "$harness" ]; then
    echo "$src: uses $harness- part of the test harness, which lab" \
        "code may not call" >&2
    exit 1
fi

libc=$(${CC:-cc} -print-file-name=libc.so.6)
[ -f "$libc" ] || exit 0
clashes=$(nm -g --defined-only "$obj" | awk 'NF == 3 { print $3 }' |
    sort -u >"$obj.names" &&
    nm -D --defined-only "$libc" | awk '{ sub(/@.*/, "", $3); print $3 }' |
    sort -u | comm -12 "$obj.names" - | tr '\n' ' ')
rm -f "$obj.names"
if [ -n "$clashes" ]; then
    echo "$src: defines $clashes- the same name as a C library" \
        "function or variable, which would replace the library's for the" \
        "grader too. Rename it, or make it static." >&2
    exit 1
fi
exit 0
