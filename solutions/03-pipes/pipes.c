/*
 * pipes.c - Lab 03: pipes (reference solution).
 *
 * Each function creates its pipes before fork(), so that both processes
 * hold both ends, and then has each process close the ends it does not
 * use. A reader sees end of file only when no process holds a write end
 * any more, and a writer gets SIGPIPE only when no process holds a read
 * end, so every extra copy of an end changes what the other side sees.
 * The handout is labs/03-pipes/README.md.
 *
 * Every system call goes through the pl_ wrappers from common/ or is
 * checked here. pl_pipe() creates both ends close-on-exec, which matters
 * only in Step 5, where the children exec.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pipes.h"
#include "proclab.h"

/* The size of each read() request; a pipe may return less anyway. */
#define CHUNK 65536

/*
 * Read at most len bytes from fd, retrying on EINTR. Returns how many
 * bytes read() returned, 0 at end of file. A pipe's read() returns what
 * is there now, which may be less than len even long before end of file.
 */
static size_t read_some(int fd, void *buf, size_t len)
{
    ssize_t n;

    do
        n = read(fd, buf, len);
    while (n == -1 && errno == EINTR);
    if (n == -1)
        pl_die("read(fd=%d, %zu bytes)", fd, len);
    return (size_t)n;
}

/* Return 0 when status records exit code 0, else -1 with errno EIO. */
static int check_exited_zero(int status)
{
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        errno = EIO;
        return -1;
    }
    return 0;
}

/* --- Step 1 ------------------------------------------------------------ */

/* Copy in to out until end of file, turning a-z into A-Z on the way. */
static void upcase_stream(int in, int out)
{
    char buf[PP_UPCASE_MAX];
    size_t n;

    while ((n = read_some(in, buf, sizeof(buf))) > 0) {
        for (size_t i = 0; i < n; i++)
            if (buf[i] >= 'a' && buf[i] <= 'z')
                buf[i] = (char)(buf[i] - 'a' + 'A');
        pl_write_all(out, buf, n);
    }
}

ssize_t pp_upcase_in_child(const char *text, size_t len, char *out)
{
    int to_child[2];
    int to_parent[2];
    pid_t pid;
    size_t got;
    char extra;
    int too_long;
    int status;

    if (len > PP_UPCASE_MAX || (len > 0 && (text == NULL || out == NULL))) {
        errno = EINVAL;
        return -1;
    }

    pl_pipe(to_child);
    pl_pipe(to_parent);
    pid = pl_fork();
    if (pid == 0) {
        /* Child: it reads to_child and writes to_parent. Its own copy of
         * to_child's write end must go first: while it is open, its read
         * can never see end of file. */
        pl_close(to_child[1]);
        pl_close(to_parent[0]);
        upcase_stream(to_child[0], to_parent[1]);
        pl_close(to_child[0]);
        pl_close(to_parent[1]);
        _exit(0);
    }

    /* Parent: it writes to_child and reads to_parent. Closing its copy of
     * to_parent's write end lets its read below end when the child does. */
    pl_close(to_child[0]);
    pl_close(to_parent[1]);
    pl_write_all(to_child[1], text, len);
    /* No more text: this close is the end of file the child waits for. */
    pl_close(to_child[1]);
    got = pl_read_full(to_parent[0], out, len);
    /* The reply must end here: one more byte means it is too long. This
     * read returns 0 only once the child has closed its write end. */
    too_long = read_some(to_parent[0], &extra, 1) > 0;
    pl_close(to_parent[0]);
    pl_waitpid(pid, &status, 0);
    if (too_long) {
        errno = EIO;
        return -1;
    }
    if (check_exited_zero(status) != 0)
        return -1;
    return (ssize_t)got;
}

/* --- Step 2 ------------------------------------------------------------ */

/* Count and checksum what fd delivers until end of file. */
static struct pp_summary summarize_stream(int fd)
{
    static char buf[CHUNK];
    struct pp_summary s = {0, PP_CHECKSUM_INIT};
    size_t n;

    /* Add exactly the n bytes each read() returned, never sizeof(buf). */
    while ((n = read_some(fd, buf, sizeof(buf))) > 0) {
        s.bytes += n;
        s.checksum = pp_checksum_add(s.checksum, buf, n);
    }
    return s;
}

int pp_checksum_in_child(const void *data, size_t len,
                         struct pp_summary *child_saw)
{
    int to_child[2];
    int to_parent[2];
    pid_t pid;
    size_t got;
    int status;

    if (child_saw == NULL || (len > 0 && data == NULL)) {
        errno = EINVAL;
        return -1;
    }

    pl_pipe(to_child);
    pl_pipe(to_parent);
    pid = pl_fork();
    if (pid == 0) {
        /* Child: it reads the data, then writes one summary. */
        struct pp_summary s;

        pl_close(to_child[1]);
        pl_close(to_parent[0]);
        s = summarize_stream(to_child[0]);
        pl_close(to_child[0]);
        pl_write_all(to_parent[1], &s, sizeof(s));
        pl_close(to_parent[1]);
        _exit(0);
    }

    /* Parent: the pipe holds far less than len bytes, so the write below
     * returns only as the child keeps reading. The child replies after
     * end of file, so the parent reads nothing until it has closed. */
    pl_close(to_child[0]);
    pl_close(to_parent[1]);
    pl_write_all(to_child[1], data, len);
    pl_close(to_child[1]);
    got = pl_read_full(to_parent[0], child_saw, sizeof(*child_saw));
    pl_close(to_parent[0]);
    pl_waitpid(pid, &status, 0);
    if (got != sizeof(*child_saw)) {
        errno = EIO;
        return -1;
    }
    return check_exited_zero(status);
}

/* --- Step 3 ------------------------------------------------------------ */

/* The report the child of pp_write_without_reader() sends. */
struct write_report {
    ssize_t result;
    int err;
};

int pp_write_without_reader(int ignore_sigpipe, struct pp_broken_pipe *r)
{
    int data[2];
    int report[2];
    struct write_report msg;
    pid_t pid;
    size_t got;
    int status;

    if (r == NULL) {
        errno = EINVAL;
        return -1;
    }

    /* Close the read end before fork. Closed after fork, the parent's copy
     * could still be open when the child writes, and the write would then
     * succeed. */
    pl_pipe(data);
    pl_close(data[0]);
    pl_pipe(report);
    pid = pl_fork();
    if (pid == 0) {
        /* Child: the writer. Its SIGPIPE action is its own after fork, so
         * ignoring the signal here leaves the caller's action alone. */
        struct write_report sent;

        pl_close(report[0]);
        if (ignore_sigpipe && signal(SIGPIPE, SIG_IGN) == SIG_ERR)
            pl_die("signal(SIGPIPE, SIG_IGN)");
        sent.result = write(data[1], "x", 1);
        sent.err = sent.result == -1 ? errno : 0;
        pl_write_all(report[1], &sent, sizeof(sent));
        pl_close(report[1]);
        pl_close(data[1]);
        _exit(0);
    }

    /* Parent: it neither writes data nor sends a report. */
    pl_close(data[1]);
    pl_close(report[1]);
    got = pl_read_full(report[0], &msg, sizeof(msg));
    pl_close(report[0]);
    pl_waitpid(pid, &status, 0);

    r->status = status;
    r->reported = got == sizeof(msg);
    r->write_result = r->reported ? msg.result : 0;
    r->write_errno = r->reported ? msg.err : 0;
    return 0;
}

/* --- Step 4 ------------------------------------------------------------ */

/* Write `records` records of PP_RECORD_SIZE bytes of 'A' + w to fd. */
static void write_records(int fd, int w, int records)
{
    static char record[PP_RECORD_SIZE];

    for (size_t i = 0; i < sizeof(record); i++)
        record[i] = (char)('A' + w);
    for (int k = 0; k < records; k++) {
        /* One write() per record. The kernel adds a write of up to
         * PIPE_BUF bytes to the pipe in one piece, never mixed with
         * another writer's bytes, and a blocking write() of that size
         * never returns short. */
        ssize_t n;

        do
            n = write(fd, record, sizeof(record));
        while (n == -1 && errno == EINTR);
        if (n != (ssize_t)sizeof(record))
            pl_die("write(fd=%d, record %d of writer %d)", fd, k, w);
    }
}

ssize_t pp_gather_records(int writers, int records, char *out,
                          size_t out_len)
{
    pid_t pids[PP_MAX_WRITERS];
    int fds[2];
    size_t got;
    int failed = 0;

    if (writers < 1 || writers > PP_MAX_WRITERS || records < 0 ||
        out == NULL ||
        out_len < (size_t)writers * (size_t)records * PP_RECORD_SIZE) {
        errno = EINVAL;
        return -1;
    }

    pl_pipe(fds);
    for (int w = 0; w < writers; w++) {
        pids[w] = pl_fork();
        if (pids[w] == 0) {
            /* Child w: a writer only. */
            pl_close(fds[0]);
            write_records(fds[1], w, records);
            pl_close(fds[1]);
            _exit(0);
        }
    }

    /* Parent: a reader only. Every child holds a write end until it
     * exits, so end of file comes after the last child's last record,
     * but only once the parent's own write end is closed too. */
    pl_close(fds[1]);
    got = pl_read_full(fds[0], out, out_len);
    pl_close(fds[0]);
    for (int w = 0; w < writers; w++) {
        int status;

        pl_waitpid(pids[w], &status, 0);
        if (check_exited_zero(status) != 0)
            failed = 1;
    }
    if (failed) {
        errno = EIO;
        return -1;
    }
    return (ssize_t)got;
}

int pp_fill_pipe(struct pp_capacity *c)
{
    static const char chunk[PP_FILL_CHUNK];
    int fds[2];
    int flags;
    long total = 0;

    if (c == NULL) {
        errno = EINVAL;
        return -1;
    }

    pl_pipe(fds);
    c->reported = fcntl(fds[1], F_GETPIPE_SZ);
    if (c->reported == -1)
        pl_die("fcntl(fd=%d, F_GETPIPE_SZ)", fds[1]);
    flags = fcntl(fds[1], F_GETFL);
    if (flags == -1 || fcntl(fds[1], F_SETFL, flags | O_NONBLOCK) == -1)
        pl_die("fcntl(fd=%d, F_SETFL, O_NONBLOCK)", fds[1]);

    /* A blocking write() would wait here forever: no process reads. */
    for (;;) {
        ssize_t n = write(fds[1], chunk, sizeof(chunk));

        if (n >= 0)
            total += n;
        else if (errno == EAGAIN)
            break;
        else if (errno != EINTR)
            pl_die("write(fd=%d, %zu bytes)", fds[1], sizeof(chunk));
    }
    c->filled = total;
    pl_close(fds[0]);
    pl_close(fds[1]);
    return 0;
}

/* --- Step 5 ------------------------------------------------------------ */

/*
 * Make descriptor `to` refer to the file that `from` refers to, then close
 * `from`. When both are the same number, dup2() would do nothing and leave
 * close-on-exec set, so only that flag is cleared.
 */
static void move_fd(int from, int to)
{
    if (from == to) {
        if (fcntl(to, F_SETFD, 0) == -1)
            pl_die("fcntl(fd=%d, F_SETFD, 0)", to);
        return;
    }
    if (dup2(from, to) == -1)
        pl_die("dup2(%d, %d)", from, to);
    pl_close(from);
}

/* Run argv in this child, or report why not and exit as a shell does. */
static void exec_or_exit(char *const argv[])
{
    execvp(argv[0], argv);
    pl_warn("execvp(%s)", argv[0]);
    _exit(127);
}

int pp_pipeline(char *const producer[], char *const filter[],
                int *producer_status, int *filter_status)
{
    int fds[2];
    pid_t producer_pid;
    pid_t filter_pid;

    if (producer == NULL || producer[0] == NULL || filter == NULL ||
        filter[0] == NULL || producer_status == NULL ||
        filter_status == NULL) {
        errno = EINVAL;
        return -1;
    }

    pl_pipe(fds);
    producer_pid = pl_fork();
    if (producer_pid == 0) {
        /* Producer child: its standard output becomes the write end. The
         * read end is closed so that the producer gets SIGPIPE once the
         * filter is gone. */
        pl_close(fds[0]);
        move_fd(fds[1], STDOUT_FILENO);
        exec_or_exit(producer);
    }

    filter_pid = pl_fork();
    if (filter_pid == 0) {
        /* Filter child: its standard input becomes the read end. Its copy
         * of the write end is closed, or it would never see end of file. */
        pl_close(fds[1]);
        move_fd(fds[0], STDIN_FILENO);
        exec_or_exit(filter);
    }

    /* Parent: it uses neither end. Its write end would keep the filter
     * from seeing end of file, and its read end would keep the producer
     * from getting SIGPIPE when the filter stops reading. */
    pl_close(fds[0]);
    pl_close(fds[1]);
    pl_waitpid(producer_pid, producer_status, 0);
    pl_waitpid(filter_pid, filter_status, 0);
    return 0;
}
