/*
 * main.c - Lab 03 demo: runs the functions of pipes.c and prints what
 * each one shows about pipes.
 *
 *   make run LAB=03
 *
 * Each step prints one short block. A function that is still the starter
 * stub gets a "not written yet" line, and the other steps still run. The
 * exit status is 0 when every function worked and 1 otherwise. You do not
 * need to edit this file. README.md describes the expected output.
 *
 * The program is also its own pipeline stage: "program --produce BYTES"
 * writes the test pattern, and "program --checksum" prints the size and
 * checksum of what it reads. Step 5 runs it that way through
 * /proc/self/exe, which names the running program's file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pipes.h"
#include "proclab.h"

#define BIG_BYTES (8 * 1024 * 1024)
#define WRITERS 4
#define RECORDS_EACH 64

static pid_t main_pid;

/* Print why the lab function fn failed, and return 1 for the exit status. */
static int report_failure(const char *fn, const char *step)
{
    int err = errno;

    if (err == ENOSYS)
        printf("  %s is not written yet (%s)\n", fn, step);
    else
        printf("  %s failed: %s (%s)\n", fn, pl_errno_name(err), strerror(err));
    return 1;
}

/*
 * End a child of fn that returned into main instead of calling _exit():
 * it would go on to run the rest of the demo a second time.
 */
static void stop_stray_child(const char *fn, const char *step)
{
    if (getpid() == main_pid)
        return;
    fprintf(stderr,
            "process %d, a child made by %s, returned into main: end every "
            "child with _exit() (%s)\n",
            (int)getpid(), fn, step);
    _exit(1);
}

/* --- the program's own pipeline stages --------------------------------- */

static int produce(const char *count)
{
    static char buf[65536];
    unsigned long long total = strtoull(count, NULL, 10);
    unsigned long long sent = 0;

    while (sent < total) {
        size_t n = total - sent < sizeof(buf) ? (size_t)(total - sent)
                                              : sizeof(buf);

        pp_pattern_fill(buf, sent, n);
        pl_write_all(STDOUT_FILENO, buf, n);
        sent += n;
    }
    return 0;
}

static int checksum(void)
{
    static char buf[65536];
    struct pp_summary s = {0, PP_CHECKSUM_INIT};
    size_t n;

    while ((n = pl_read_full(STDIN_FILENO, buf, sizeof(buf))) > 0) {
        s.bytes += n;
        s.checksum = pp_checksum_add(s.checksum, buf, n);
    }
    printf("  the filter read %llu bytes, checksum %016llx\n",
           (unsigned long long)s.bytes, (unsigned long long)s.checksum);
    return 0;
}

/* --- the steps --------------------------------------------------------- */

static int show_upcase(void)
{
    static const char text[] = "hello from the parent, through two pipes";
    char reply[sizeof(text)];
    ssize_t got;

    printf("Step 1: the parent sends \"%s\" to a child\n", text);
    /* Flush before every fork, so that a child cannot inherit unwritten
     * output and print it a second time. */
    fflush(stdout);
    got = pp_upcase_in_child(text, sizeof(text) - 1, reply);
    stop_stray_child("pp_upcase_in_child", "Step 1");
    if (got < 0)
        return report_failure("pp_upcase_in_child", "Step 1");
    printf("  the child's reply (%zd bytes): \"%.*s\"\n", got, (int)got,
           reply);
    return 0;
}

static int show_checksum(void)
{
    char *data = pl_malloc(BIG_BYTES);
    uint64_t sent;
    struct pp_summary seen;
    int rc;

    pp_pattern_fill(data, 0, BIG_BYTES);
    sent = pp_checksum_add(PP_CHECKSUM_INIT, data, BIG_BYTES);
    printf("Step 2: the parent sends %d bytes (8 MiB) to a child\n",
           BIG_BYTES);
    fflush(stdout);
    rc = pp_checksum_in_child(data, BIG_BYTES, &seen);
    stop_stray_child("pp_checksum_in_child", "Step 2");
    free(data);
    if (rc != 0)
        return report_failure("pp_checksum_in_child", "Step 2");
    printf("  the child read %llu bytes, checksum %016llx\n",
           (unsigned long long)seen.bytes, (unsigned long long)seen.checksum);
    printf("  the parent sent %d bytes, checksum %016llx (%s)\n", BIG_BYTES,
           (unsigned long long)sent,
           seen.bytes == BIG_BYTES && seen.checksum == sent ? "the same"
                                                            : "different");
    return 0;
}

static int show_broken_pipe(void)
{
    struct pp_broken_pipe r;
    char how[128];
    int rc;

    printf("Step 3: a child writes to a pipe whose read end is closed\n");
    fflush(stdout);
    rc = pp_write_without_reader(0, &r);
    stop_stray_child("pp_write_without_reader", "Step 3");
    if (rc != 0)
        return report_failure("pp_write_without_reader", "Step 3");
    printf("  SIGPIPE at its default action: the child %s\n",
           pl_describe_status(r.status, how, sizeof(how)));

    fflush(stdout);
    rc = pp_write_without_reader(1, &r);
    stop_stray_child("pp_write_without_reader", "Step 3");
    if (rc != 0)
        return report_failure("pp_write_without_reader", "Step 3");
    printf("  SIGPIPE ignored: write() returned %zd with errno %s (%s), and "
           "the child %s\n",
           r.write_result, pl_errno_name(r.write_errno),
           strerror(r.write_errno),
           pl_describe_status(r.status, how, sizeof(how)));
    return 0;
}

static int show_records(void)
{
    size_t total = (size_t)WRITERS * RECORDS_EACH * PP_RECORD_SIZE;
    char *out = pl_malloc(total);
    char order[33];
    size_t records;
    size_t whole = 0;
    ssize_t got;

    printf("Step 4: %d writers each write %d records of %d bytes (PIPE_BUF) "
           "into one pipe\n",
           WRITERS, RECORDS_EACH, PP_RECORD_SIZE);
    fflush(stdout);
    got = pp_gather_records(WRITERS, RECORDS_EACH, out, total);
    stop_stray_child("pp_gather_records", "Step 4");
    if (got < 0) {
        free(out);
        return report_failure("pp_gather_records", "Step 4");
    }
    records = (size_t)got / PP_RECORD_SIZE;
    for (size_t r = 0; r < records; r++) {
        const char *rec = out + r * PP_RECORD_SIZE;

        if (memcmp(rec, rec + 1, PP_RECORD_SIZE - 1) == 0)
            whole++;
        if (r < sizeof(order) - 1)
            order[r] = rec[0];
    }
    order[records < sizeof(order) - 1 ? records : sizeof(order) - 1] = '\0';
    printf("  %zd bytes read: %zu records, %zu of them whole\n", got, records,
           whole);
    printf("  the writers of the first records, in arrival order: %s\n",
           order);
    free(out);
    return 0;
}

static int show_capacity(void)
{
    struct pp_capacity c;

    printf("Step 4: a new pipe's capacity\n");
    fflush(stdout);
    if (pp_fill_pipe(&c) != 0)
        return report_failure("pp_fill_pipe", "Step 4");
    printf("  F_GETPIPE_SZ: %ld bytes; %ld bytes went in before write() "
           "failed with EAGAIN\n",
           c.reported, c.filled);
    return 0;
}

/* Run producer | filter and print how each program ended. */
static int show_pipeline(const char *title, char *const producer[],
                         char *const filter[])
{
    int producer_status;
    int filter_status;
    char how[128];
    int rc;

    printf("Step 5: %s\n", title);
    fflush(stdout);
    rc = pp_pipeline(producer, filter, &producer_status, &filter_status);
    stop_stray_child("pp_pipeline", "Step 5");
    if (rc != 0)
        return report_failure("pp_pipeline", "Step 5");
    printf("  producer %s %s;", producer[0],
           pl_describe_status(producer_status, how, sizeof(how)));
    printf(" filter %s %s\n", filter[0],
           pl_describe_status(filter_status, how, sizeof(how)));
    return 0;
}

static int show_pipelines(void)
{
    char *echo[] = {"echo", "  hello from the producer", NULL};
    char *tr[] = {"tr", "a-z", "A-Z", NULL};
    char *yes[] = {"yes", "  yes", NULL};
    char *head[] = {"head", "-n", "2", NULL};
    char bytes[32];
    char *self_produce[] = {"/proc/self/exe", "--produce", bytes, NULL};
    char *self_checksum[] = {"/proc/self/exe", "--checksum", NULL};
    char *data = pl_malloc(BIG_BYTES);
    int failed;

    snprintf(bytes, sizeof(bytes), "%d", BIG_BYTES);
    failed = show_pipeline("echo \"  hello from the producer\" | tr a-z A-Z",
                           echo, tr);
    if (failed) {
        free(data);
        return 1;
    }
    failed |= show_pipeline("yes \"  yes\" | head -n 2", yes, head);
    failed |= show_pipeline("this program --produce 8388608 | this program "
                            "--checksum",
                            self_produce, self_checksum);
    pp_pattern_fill(data, 0, BIG_BYTES);
    printf("  the producer wrote %d bytes, checksum %016llx\n", BIG_BYTES,
           (unsigned long long)pp_checksum_add(PP_CHECKSUM_INIT, data,
                                               BIG_BYTES));
    free(data);
    return failed;
}

int main(int argc, char **argv)
{
    int failed = 0;

    if (argc == 3 && strcmp(argv[1], "--produce") == 0)
        return produce(argv[2]);
    if (argc == 2 && strcmp(argv[1], "--checksum") == 0)
        return checksum();

    main_pid = getpid();
    failed |= show_upcase();
    failed |= show_checksum();
    failed |= show_broken_pipe();
    failed |= show_records();
    failed |= show_capacity();
    failed |= show_pipelines();
    return failed;
}
