/*
 * orphans.c - Lab 08: orphans, subreapers and parent-death signals
 * (reference solution).
 *
 * Every process here learns about the others through pipes: a read that
 * blocks until the other side writes or exits fixes the order of events,
 * so nothing depends on how the scheduler runs the processes. The
 * contract of each function is in labs/08-orphans/orphans.h, and the
 * handout is labs/08-orphans/README.md.
 *
 * Every system call goes through the pl_ wrappers from common/ or is
 * checked here. A child ends with _exit() on every path, including the
 * one where a pl_ wrapper fails, because pl_fork() marks it as a child.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "orphans.h"
#include "proclab.h"

/* PID namespaces nest at most 32 deep (MAX_PID_NS_LEVEL in the kernel). */
#define MAX_NS_LEVELS 32

/* Store the parent PID that /proc/self/stat shows in *ppid. */
static void read_stat_ppid(pid_t *ppid)
{
    struct pl_proc_stat st;

    if (pl_proc_read_stat(0, &st) == -1)
        pl_die("pl_proc_read_stat(/proc/self/stat)");
    *ppid = st.ppid;
}

/*
 * The orphan: read its parent, let the middle exit, wait until the
 * caller has reaped the middle, read its parent again, and report.
 */
static void run_orphan(struct pl_sync *sync, int go_fd, int report_fd)
{
    struct orph_adoption seen;
    char byte;

    memset(&seen, 0, sizeof(seen));
    pl_sync_child(sync);
    seen.orphan = getpid();
    seen.ppid_before = getppid();
    read_stat_ppid(&seen.stat_ppid_before);

    /* The middle may exit now. */
    pl_sync_send(sync);
    pl_sync_close(sync);

    /*
     * The end of the middle alone is no signal to look again: the kernel
     * closes an exiting process's descriptors before it hands that
     * process's children to their new parent. The caller closes go only
     * after waitpid() returned the middle, which comes after the handover,
     * so end of file here means that getppid() already changed.
     */
    pl_read_full(go_fd, &byte, 1);
    pl_close(go_fd);
    seen.ppid_after = getppid();
    read_stat_ppid(&seen.stat_ppid_after);

    pl_write_all(report_fd, &seen, sizeof(seen));
    pl_close(report_fd);
    _exit(0);
}

/* The middle process: fork the orphan, and exit once it has looked. */
static void run_middle(int report[2], int go[2])
{
    struct pl_sync sync;
    pid_t orphan;
    int looked;

    /* Middle: it neither reads the report nor releases the orphan. It
     * closes those ends before the second fork, so that the orphan does
     * not inherit them either: an orphan holding go's write end would
     * never see end of file on it. */
    pl_close(report[0]);
    pl_close(go[1]);

    pl_sync_init(&sync);
    orphan = pl_fork();
    if (orphan == 0)
        run_orphan(&sync, go[0], report[1]);

    /* Middle again: the orphan has its own copies of these ends. */
    pl_close(report[1]);
    pl_close(go[0]);
    pl_sync_parent(&sync);

    /* Exiting before the orphan read getppid() would make its "before"
     * value show the new parent. The wait fails only when the orphan died
     * without sending. */
    looked = pl_sync_wait(&sync);
    pl_sync_close(&sync);
    _exit(looked == 0 ? 0 : PL_EXIT_FAILURE);
}

int orph_watch_adoption(struct orph_adoption *r)
{
    struct orph_adoption seen;
    int report[2];
    int go[2];
    pid_t middle;
    int status;
    size_t got;

    if (r == NULL) {
        errno = EINVAL;
        return -1;
    }

    /* report: the orphan writes, the caller reads. go: the caller closes
     * its write end to tell the orphan that the middle is reaped. */
    pl_pipe(report);
    pl_pipe(go);
    middle = pl_fork();
    if (middle == 0)
        run_middle(report, go);

    /* Caller: it reads the report and owns go's write end, so it closes
     * the other two ends. Otherwise its own write end of report would
     * keep the read below from ever seeing end of file. */
    pl_close(report[1]);
    pl_close(go[0]);
    pl_waitpid(middle, &status, 0);

    /* The middle is a zombie, so the orphan has its new parent. Closing
     * the last write end of go wakes the orphan with end of file, and
     * unlike a write it cannot raise SIGPIPE if the orphan died. */
    pl_close(go[1]);
    got = pl_read_full(report[0], &seen, sizeof(seen));
    pl_close(report[0]);

    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
        got != sizeof(seen)) {
        errno = EIO;
        return -1;
    }
    *r = seen;
    r->middle = middle;
    return 0;
}

int orph_adopt_and_reap(struct orph_adoption *r, int *status)
{
    int was_subreaper = 0;
    int rc;
    int err;

    if (r == NULL || status == NULL) {
        errno = EINVAL;
        return -1;
    }
    if (prctl(PR_GET_CHILD_SUBREAPER, &was_subreaper) == -1)
        pl_die("prctl(PR_GET_CHILD_SUBREAPER)");

    /* As a subreaper the caller is the nearest one above the orphan, so
     * the orphan becomes its child, and only a parent can wait for a
     * process. */
    if (prctl(PR_SET_CHILD_SUBREAPER, 1UL) == -1)
        pl_die("prctl(PR_SET_CHILD_SUBREAPER, 1)");
    rc = orph_watch_adoption(r);
    err = errno;
    if (rc == 0)
        pl_waitpid(r->orphan, status, 0);

    /* The flag belongs to the caller: a program that is a subreaper on
     * purpose, such as a service manager, must stay one. prctl() reads
     * its arguments as unsigned long, so pass them as that type. */
    if (prctl(PR_SET_CHILD_SUBREAPER, (unsigned long)was_subreaper) == -1)
        pl_die("prctl(PR_SET_CHILD_SUBREAPER, %d)", was_subreaper);
    errno = err;
    return rc;
}

/* Return the start of the line that begins with prefix, or NULL. */
static const char *find_line(const char *text, const char *prefix)
{
    size_t len = strlen(prefix);
    const char *line = text;

    while (line != NULL) {
        if (strncmp(line, prefix, len) == 0)
            return line;
        line = strchr(line, '\n');
        if (line != NULL)
            line++;
    }
    return NULL;
}

int orph_parse_nspid(const char *status, pid_t *pids, int max)
{
    const char *p;
    int count = 0;

    if (status == NULL || max < 0 || (max > 0 && pids == NULL)) {
        errno = EINVAL;
        return -1;
    }

    /* Match at the start of a line: the Name line is the program's name,
     * which a process may set to any text, "NSpid: 1" included. */
    p = find_line(status, "NSpid:");
    if (p == NULL) {
        errno = ENOENT;
        return -1;
    }
    p += strlen("NSpid:");

    for (;;) {
        char *end;
        long value;

        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '\n' || *p == '\0')
            break;
        errno = 0;
        value = strtol(p, &end, 10);
        if (end == p || errno != 0 || value <= 0) {
            errno = EPROTO;
            return -1;
        }
        if (count < max)
            pids[count] = (pid_t)value;
        count++;
        p = end;
    }
    if (count == 0) {
        errno = EPROTO;
        return -1;
    }
    return count;
}

/* Store the PID that process pid has in its own namespace in *ns_pid. */
static int read_ns_pid(pid_t pid, pid_t *ns_pid)
{
    char path[64];
    char text[8192];
    pid_t levels[MAX_NS_LEVELS];
    size_t len;
    int count;
    int fd;

    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd == -1)
        return -1;

    /* The NSpid line comes within the first kilobyte or so. A longer
     * file is cut short here, which leaves the lines that matter. */
    len = pl_read_full(fd, text, sizeof(text) - 1);
    pl_close(fd);
    text[len] = '\0';

    count = orph_parse_nspid(text, levels, MAX_NS_LEVELS);
    if (count == -1)
        return -1;
    if (count > MAX_NS_LEVELS) {
        errno = EPROTO;
        return -1;
    }
    *ns_pid = levels[count - 1];
    return 0;
}

int orph_list_ancestors(pid_t pid, struct orph_ancestor *out, int max)
{
    struct pl_proc_stat st;
    int count = 0;

    if (max < 0 || (max > 0 && out == NULL)) {
        errno = EINVAL;
        return -1;
    }
    if (pl_proc_read_stat(pid, &st) == -1)
        return -1;

    /* An init's parent lives outside its namespace, and /proc shows such
     * a parent as 0. So does kthreadd's, but no user process descends
     * from kthreadd. */
    while (st.ppid != 0) {
        pid_t parent = st.ppid;

        if (pl_proc_read_stat(parent, &st) == -1)
            return -1;
        if (count < max) {
            out[count].pid = parent;
            snprintf(out[count].comm, sizeof(out[count].comm), "%s",
                     st.comm);
            if (read_ns_pid(parent, &out[count].ns_pid) == -1)
                return -1;
        }
        count++;
    }
    return count;
}

/* Whether sig can be blocked and armed as a parent-death signal. */
static int valid_death_signal(int sig)
{
    return sig > 0 && sig < NSIG && sig != SIGKILL && sig != SIGSTOP;
}

int orph_watch_parent(pid_t parent, int sig, int ready_fd, int report_fd)
{
    struct orph_death_report report;
    sigset_t death_signals;
    int parent_alive;

    if (!valid_death_signal(sig) || report_fd < 0) {
        errno = EINVAL;
        return -1;
    }

    /* Block sig before arming it. A death signal that arrived between
     * prctl() and sigwaitinfo() would otherwise take its default action,
     * which for SIGTERM and SIGUSR1 ends the process. */
    sigemptyset(&death_signals);
    sigaddset(&death_signals, sig);
    if (sigprocmask(SIG_BLOCK, &death_signals, NULL) == -1)
        pl_die("sigprocmask(SIG_BLOCK, %s)", pl_signal_name(sig));
    if (prctl(PR_SET_PDEATHSIG, (unsigned long)sig) == -1)
        pl_die("prctl(PR_SET_PDEATHSIG, %s)", pl_signal_name(sig));

    /*
     * The kernel sends the death signal when the parent exits, and only
     * to a child that armed it by then. A parent that died between this
     * process's fork and its prctl() sent nothing. This process has been
     * adopted since, so getppid() no longer returns the parent's PID, and
     * that is the only way to tell. Comparing with 1 would not do: the
     * new parent is 1 only when no subreaper is in between.
     */
    parent_alive = getppid() == parent;

    /* Ready only now: a parent that dies after the comparison above
     * certainly sends the signal. Sent before the comparison, the byte
     * could let the parent die in between, and then the comparison would
     * report it gone although its signal is on the way. */
    if (ready_fd >= 0)
        pl_write_all(ready_fd, "r", 1);

    memset(&report, 0, sizeof(report));
    if (parent_alive) {
        int got;

        do
            got = sigwaitinfo(&death_signals, NULL);
        while (got == -1 && errno == EINTR);
        if (got == -1)
            pl_die("sigwaitinfo(%s)", pl_signal_name(sig));
        report.signal = got;
    }
    report.new_parent = getppid();
    pl_write_all(report_fd, &report, sizeof(report));
    return 0;
}

pid_t orph_spawn_watcher(int sig, int report_fd)
{
    pid_t parent = getpid();
    pid_t watcher;
    int ready[2];
    char byte;
    size_t got;
    int status;

    if (!valid_death_signal(sig) || report_fd < 0) {
        errno = EINVAL;
        return -1;
    }

    pl_pipe(ready);
    watcher = pl_fork();
    if (watcher == 0) {
        /* Watcher: it only writes the ready byte. It watches parent, the
         * PID read before fork, because by now getppid() may already
         * return the PID of a new parent. */
        int rc;

        pl_close(ready[0]);
        rc = orph_watch_parent(parent, sig, ready[1], report_fd);
        pl_close(ready[1]);
        _exit(rc == 0 ? 0 : PL_EXIT_FAILURE);
    }

    /* Parent: it closes the write end, so that a watcher that dies before
     * arming gives end of file instead of a read that blocks forever. */
    pl_close(ready[1]);
    got = pl_read_full(ready[0], &byte, 1);
    pl_close(ready[0]);
    if (got != 1) {
        pl_waitpid(watcher, &status, 0);
        errno = EIO;
        return -1;
    }
    return watcher;
}
