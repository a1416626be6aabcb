/*
 * report.h - what the grader found, and how it is printed and saved.
 */
#ifndef REPORT_H
#define REPORT_H

#define MAX_TESTS 256
#define MAX_LABS 32

struct test_report {
    char name[256];
    char step[64];   /* handout section to reread */
    int hidden;      /* students see it only after the due date */
    int points;      /* points possible */
    double timeout_s;
    char verdict[16]; /* passed, failed, timeout, crashed, not run */
    int earned;
    long long elapsed_ms;
    char *message; /* why it failed; NULL or empty when it passed */
    char *output;  /* what the test printed, possibly cut short */
    long output_bytes; /* how much it printed in all */
};

struct lab_report {
    char folder[64];
    struct test_report tests[MAX_TESTS];
    int count;
    int max_points;
    int earned;
    int build_failed;   /* the student code did not compile */
    int program_failed; /* the test program stopped before some tests */
    char problem[8192]; /* compiler or test-program messages */
    char containment[256]; /* limits the test program set, in words */
    char test_dir[4096];    /* folder of the test running last */
};

struct grade_report {
    const char *source; /* what was graded: labs, solutions, a folder */
    double scale;
    long long start_ms;
    long long elapsed_ms;
    struct lab_report labs[MAX_LABS];
    int count;
    int earned;
    int max_points;
    char containment[256]; /* the limits printed last */
};

void print_heading(const struct grade_report *r);

/* Add one graded lab to the totals; call before printing it. */
void add_lab(struct grade_report *r, struct lab_report *lab);

/* Print one lab's tests and subtotal in the score table. */
void print_lab(struct grade_report *r, struct lab_report *lab);

/* Print every result as TAP version 13, for CI systems that read it. */
void print_tap(const struct grade_report *r);

/* Print every result as JUnit XML, for CI systems that read it. */
void print_junit(const struct grade_report *r);

/* Print the summary and the final "Score: X/Y" line. */
void print_total(const struct grade_report *r);

/*
 * Write the results in the JSON shape of Gradescope's autograder to path,
 * through a temporary file and rename(). Returns 0, or -1 after printing
 * why.
 */
int write_json(const struct grade_report *r, const char *path);

#endif
