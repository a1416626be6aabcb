/*
 * check_bench.c - 200 trivial graded tests, to measure what the harness
 * and the grader add to each test.
 *
 * "make bench" compares three programs that each run 200 trivial tests:
 * a bare fork() and waitpid() loop, plain Check in fork mode, and the
 * grader running this lab. The difference per test is the grader's cost.
 */
#include "pl_test.h"

PL_TEST(test_nothing)
{
}

#define ONE {&test_nothing, "passes: an empty test", 1, "Step 1", 5}
#define TEN ONE, ONE, ONE, ONE, ONE, ONE, ONE, ONE, ONE, ONE
#define FIFTY TEN, TEN, TEN, TEN, TEN

static const struct pl_test_case tests[] = {FIFTY, FIFTY, FIFTY, FIFTY};

PL_LAB("bench", tests)
