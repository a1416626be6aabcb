/*
 * pl_test.h - graded Check tests for proclab labs.
 *
 * A lab's test file defines its tests with PL_TEST, lists them with their
 * points in a table, and names the table with PL_LAB:
 *
 *   PL_TEST(test_parent_keeps_global)
 *   {
 *       PL_CHECK(value == 1, "expected 1, got %d", value);
 *   }
 *
 *   static const struct pl_test_case tests[] = {
 *       {&test_parent_keeps_global, "parent keeps its global", 2,
 *        "Step 1", 5},
 *   };
 *   PL_LAB("01-fork-memory", tests)
 *
 * The harness (harness.c) provides main(). It runs each test alone in
 * Check's fork mode, whatever CK_FORK says, and sends each result to the
 * grader. Around every test it also checks what any test should hold:
 *
 *   - the test process did not end early (a stray exit() is a failure);
 *   - no child of the lab function returned into the test code;
 *   - no child was left running or unreaped, or ended with exit();
 *   - no descriptor opened during the test is still open.
 *
 * The grader prints each failure with its test's handout step, so the
 * student knows where to look. Test bodies may call the lab's functions
 * directly: they run in the forked test process, never in the harness.
 */
#ifndef PL_TEST_H
#define PL_TEST_H

#include <check.h>

/* One graded test: its function, its name as a sentence, its weight. */
struct pl_test_case {
    const TTest *const *test; /* the name given to PL_TEST */
    const char *name;         /* what the test shows, as a sentence */
    int points;
    const char *step;    /* handout section to reread, e.g. "Step 2" */
    double timeout_s;    /* deadline, before the grader's scale factor */
};

struct pl_lab {
    const char *folder; /* lab folder name, e.g. "01-fork-memory" */
    const struct pl_test_case *tests;
    int count;
};

/* Define the lab's table for the harness. Use once per test program. */
#define PL_LAB(folder_name, table)                                          \
    const struct pl_lab pl_lab = {                                          \
        (folder_name), (table), (int)(sizeof(table) / sizeof((table)[0]))};

/*
 * Define a second table of tests that students do not see before the due
 * date, in a file tests/LAB/hidden_*.c. `make handout` leaves such files
 * out, so a student's own grade runs only the public tests; the Gradescope
 * autograder runs both and marks these "after_due_date". Hidden tests try
 * inputs the public tests do not, so that code fitted to the public tests
 * loses points. Use at most once per test program.
 */
#define PL_HIDDEN_TESTS(table)                                              \
    const struct pl_lab pl_hidden_tests = {                                 \
        NULL, (table), (int)(sizeof(table) / sizeof((table)[0]))};

/*
 * Define a graded test. The body runs between pl_test_begin() and
 * pl_test_end(), which do the checks listed at the top of this file.
 */
#define PL_TEST(name)                                                       \
    static void name##_body(void);                                          \
    START_TEST(name)                                                        \
    {                                                                       \
        pl_test_begin();                                                    \
        name##_body();                                                      \
        pl_test_end();                                                      \
    }                                                                       \
    END_TEST                                                                \
    static void name##_body(void)

/*
 * Fail the test unless cond holds. The message says what was expected and
 * what happened; the harness adds the file and line of the check, and the
 * grader adds the test's handout step.
 */
#define PL_CHECK(cond, ...)                                                 \
    do {                                                                    \
        if (!(cond))                                                        \
            pl_fail(__FILE__, __LINE__, __VA_ARGS__);                       \
    } while (0)

/*
 * Call a lab function and return its value, after making sure that the
 * process coming back is the test process. A child that returns from the
 * lab function instead of calling _exit() would otherwise run the rest of
 * the test, and in a loop fork again; it is stopped here and reported.
 * Wrap every call of a lab function that forks. Only the test process
 * may use it, and PL_CHECK: in a child the test forks itself, such as a
 * pl_run() child, they would stop that child as a stray.
 */
#define PL_CALL(call)                                                       \
    ({                                                                      \
        __typeof__(call) pl_call_value_ = (call);                           \
        pl_test_check_stray();                                              \
        pl_call_value_;                                                     \
    })

/* Fail the test now with a message; see PL_CHECK. */
#define PL_FAIL(...) pl_fail(__FILE__, __LINE__, __VA_ARGS__)

void pl_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((noreturn, format(printf, 3, 4)));

void pl_test_begin(void);
void pl_test_check_stray(void);
void pl_test_end(void) __attribute__((noreturn));

/*
 * Tell pl_test_end() that the descriptor fd is expected to stay open,
 * for a test that opens one on purpose and keeps it.
 */
void pl_test_allow_fd(int fd);

/*
 * Tell the harness that children in this test may end with exit(), for a
 * test that shows what exit() does in a child. Without it, a child of the
 * test process that calls exit() fails the test: exit() flushes stdio
 * buffers copied from the parent and runs the parent's atexit handlers.
 */
void pl_test_allow_child_exit(void);

/*
 * Return the test's own directory, which is also its current directory:
 * a new folder in $TMPDIR, or in /tmp when TMPDIR is not set.
 * The harness creates it empty before the test and removes it, with
 * everything in it, afterwards.
 */
const char *pl_test_dir(void);

/*
 * Return the path of a helper program that the Makefile built from
 * tests/LAB/helpers/NAME.c beside the test program, for tests that exec.
 */
const char *pl_test_program(const char *name);

/*
 * Return a name for a POSIX shared memory object or message queue,
 * "/proclab.RUN.BASE", where RUN is unique to this grade run. After the
 * test the harness removes any object still under that name and fails the
 * test that left it. At most 16 names per test; the string lives until the
 * test ends.
 */
const char *pl_test_ipc_name(const char *base);

/* Return the deadline scale factor the grader set (1.0 by default). */
double pl_test_scale(void);

#endif
