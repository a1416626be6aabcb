/*
 * stuck.c - describe where a test that is about to time out is waiting.
 *
 * Shortly before a test's deadline the harness reads, from /proc, which
 * system call the test process is blocked in and, for a read or write,
 * what the descriptor is. It does the same for the test's children. A
 * test that then times out reports it, so that "did not finish" comes
 * with "blocked in read() on descriptor 3 (pipe:[1234])", which is
 * usually the bug. The numbers in /proc/PID/syscall are this machine's,
 * so the names come from <sys/syscall.h> at build time.
 */
#include "harness.h"

#include "proclab.h"

#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The maximum number of the test process's children described. */
#define MAX_CHILDREN 3

struct call_name {
    long number;
    const char *name;
    int fd_arg; /* the first argument is a descriptor */
};

static const struct call_name calls[] = {
    {SYS_read, "read()", 1},
    {SYS_write, "write()", 1},
    {SYS_wait4, "waitpid()", 0},
    {SYS_waitid, "waitid()", 0},
    {SYS_futex, "a lock, a condition or pthread_join()", 0},
    {SYS_rt_sigsuspend, "sigsuspend()", 0},
    {SYS_rt_sigtimedwait, "sigwait()", 0},
    {SYS_nanosleep, "sleep()", 0},
    {SYS_clock_nanosleep, "sleep()", 0},
    {SYS_ppoll, "poll()", 0},
    {SYS_pselect6, "select()", 0},
    {SYS_mq_timedreceive, "mq_receive()", 1},
    {SYS_mq_timedsend, "mq_send()", 1},
    {SYS_openat, "open(), perhaps of a FIFO with no other end", 0},
    {SYS_msgrcv, "msgrcv()", 0},
#ifdef SYS_pause
    {SYS_pause, "pause()", 0},
#endif
#ifdef SYS_poll
    {SYS_poll, "poll()", 0},
#endif
#ifdef SYS_select
    {SYS_select, "select()", 0},
#endif
};

static const struct call_name *find_call(long number)
{
    for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
        if (calls[i].number == number)
            return &calls[i];
    return NULL;
}

/* Append to buf what process pid is doing, as one clause about label. */
static void describe_one(pid_t pid, const char *label, char *buf,
                         size_t len)
{
    struct pl_proc_stat st;
    char path[64], line[256], target[128];
    const struct call_name *call;
    size_t used = strlen(buf);
    long number = -1, fd = -1;
    FILE *f;

    if (pl_proc_read_stat(pid, &st) == -1)
        return;
    if (st.state == 'R') {
        snprintf(buf + used, len - used, "%s was running, as in a loop",
                 label);
        return;
    }
    snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
    f = fopen(path, "re");
    if (f && fgets(line, sizeof(line), f))
        sscanf(line, "%ld %lx", &number, &fd);
    if (f)
        fclose(f);
    call = find_call(number);
    if (!call) {
        snprintf(buf + used, len - used, "%s was waiting (state %c)",
                 label, st.state);
        return;
    }
    if (call->fd_arg && pl_proc_fd_target(pid, (int)fd, target,
                                          sizeof(target)) == 0) {
        plh_make_printable(target);
        snprintf(buf + used, len - used,
                 "%s was blocked in %s on descriptor %ld (%s)", label,
                 call->name, fd, target);
    } else {
        snprintf(buf + used, len - used, "%s was blocked in %s",
                 label, call->name);
    }
}

void plh_describe_stuck(pid_t pid, char *buf, size_t len)
{
    pid_t kids[MAX_CHILDREN];
    int n = pl_proc_children(pid, kids, MAX_CHILDREN);

    buf[0] = '\0';
    if (len < 64)
        return;
    describe_one(pid, "the test process", buf, len);
    for (int i = 0; i < n && i < MAX_CHILDREN; i++) {
        size_t used = strlen(buf);
        char label[48];

        if (used + 64 >= len)
            break;
        snprintf(buf + used, len - used, "; ");
        snprintf(label, sizeof(label), "its child %d", (int)kids[i]);
        describe_one(kids[i], label, buf, len);
    }
}
