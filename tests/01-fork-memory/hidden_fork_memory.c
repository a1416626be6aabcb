/*
 * hidden_fork_memory.c - hidden tests for Lab 01: fork memory isolation.
 *
 * These tests call the Step 1 functions with inputs the public tests do
 * not use, so that code written to pass the public tests, and not to
 * follow the handout, loses points. `make handout` leaves this file out,
 * and Gradescope shows its results to students after the due date.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "fork_memory.h"
#include "pl_test.h"
#include "proclab.h"

#define TIMEOUT_S 5.0

/* Return the hint for a call that failed with errno err. */
static const char *stub_hint(int err, const char *fallback)
{
    return err == ENOSYS ? "is it still the starter stub?" : fallback;
}

/*
 * Values outside 0..15. Some have a square that is itself at most 225
 * (-15) or that wraps to a small number in int arithmetic (65536, whose
 * square is 2^32), so only a check of n itself rejects all of them.
 */
PL_TEST(test_square_rejects_any_n_outside_range)
{
    static const int invalid[] = {-15, 4096, 65536, INT_MAX, INT_MIN};

    for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
        int n = invalid[i];
        int got, err;

        errno = 0;
        got = PL_CALL(fm_square_in_child(n));
        err = errno;
        PL_CHECK(got == -1 && err == EINVAL,
                 "expected fm_square_in_child(%d) to return -1 with errno "
                 "EINVAL, got %d with errno %s: %s",
                 n, got, pl_errno_name(err),
                 stub_hint(err, "check that n itself is in 0..15 before "
                                "the fork; a check on n * n lets through "
                                "negative n and n whose square overflows "
                                "an int"));
    }
}

/* Deltas the public tests do not pass: zero, one that brings the values
 * to 0, and one too large for 16 bits. */
PL_TEST(test_child_adds_any_delta)
{
    static const int deltas[] = {0, -1, 1000000};

    for (size_t i = 0; i < sizeof(deltas) / sizeof(deltas[0]); i++) {
        int delta = deltas[i];
        int *heap = malloc(sizeof(*heap));
        struct fm_values parent = {0, 0, 0};
        struct fm_values child = {0, 0, 0};
        int rc, err;

        if (heap == NULL)
            PL_FAIL("test setup: malloc(%zu) failed: %s", sizeof(*heap),
                    pl_errno_name(errno));
        *heap = 1;
        rc = PL_CALL(fm_change_in_child(heap, delta, &parent, &child));
        err = errno;
        PL_CHECK(rc == 0,
                 "expected fm_change_in_child(delta %d) to return 0, got %d "
                 "(errno %s): %s",
                 delta, rc, pl_errno_name(err),
                 stub_hint(err, "the public tests pass other deltas; "
                                "does any part of the function depend on "
                                "the value of delta?"));
        PL_CHECK(child.global == 1 + delta && child.heap == 1 + delta &&
                     child.stack == 1 + delta,
                 "with delta %d, expected the child to report %d for the "
                 "global, heap and stack values, got %d, %d and %d: the "
                 "child adds delta, whatever its value, to each of them",
                 delta, 1 + delta, child.global, child.heap, child.stack);
        PL_CHECK(parent.global == 1 && parent.heap == 1 && parent.stack == 1,
                 "with delta %d, expected the parent to report 1 for the "
                 "global, heap and stack values, got %d, %d and %d: the "
                 "child's changes happen in its own copy",
                 delta, parent.global, parent.heap, parent.stack);
        free(heap);
    }
}

static const struct pl_test_case hidden_tests[] = {
    {&test_square_rejects_any_n_outside_range,
     "fm_square_in_child rejects every n outside 0..15", 1, "Step 1",
     TIMEOUT_S},
    {&test_child_adds_any_delta, "the child adds any delta, zero included", 2,
     "Step 1", TIMEOUT_S},
};

PL_HIDDEN_TESTS(hidden_tests)
