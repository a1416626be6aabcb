/*
 * signals.c - Lab 07: signals (reference solution).
 *
 * The handlers only set a flag or reap children, and save errno; the main
 * code does the rest after the handler returns. Every system call outside
 * the handlers goes through the pl_ wrappers from common/ or is checked
 * here. The handout is labs/07-signals/README.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proclab.h"
#include "signals.h"

volatile sig_atomic_t sg_stop_requested;
volatile struct sg_reaped sg_reaped[SG_MAX_REAPED];
volatile sig_atomic_t sg_reaped_count;

/* --- Step 1 ------------------------------------------------------------ */

void sg_on_term(int sig)
{
    (void)sig;
    /* The only thing a handler may safely do to the main code's state:
     * store into a volatile sig_atomic_t that the main code polls. */
    sg_stop_requested = 1;
}

int sg_install_term_handler(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = sg_on_term;
    sigemptyset(&sa.sa_mask);
    /* No SA_RESTART: an idle worker blocked in read() must get EINTR. */
    sa.sa_flags = 0;
    return sigaction(SIGTERM, &sa, NULL);
}

/* Write one formatted line to fd; a failed write ends the worker. */
static void write_line(int fd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void write_line(int fd, const char *fmt, ...)
{
    char line[128];
    va_list ap;
    int len;

    va_start(ap, fmt);
    len = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (len < 0 || (size_t)len >= sizeof(line))
        pl_fatal("worker line too long for %zu bytes", sizeof(line));
    pl_write_all(fd, line, (size_t)len);
}

/* Create the PID file, failing with EEXIST when it is already there. */
static int create_pidfile(const char *path)
{
    char text[32];
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    int len;

    if (fd == -1)
        return -1;
    len = snprintf(text, sizeof(text), "%d\n", (int)getpid());
    pl_write_all(fd, text, (size_t)len);
    pl_close(fd);
    return 0;
}

/*
 * Complete an int of which read() returned only n bytes: a pipe may hand
 * over part of it. Returns 0, or -1 with errno EIO at end of file.
 */
static int finish_int(int fd, int *value, ssize_t n)
{
    size_t rest = sizeof(*value) - (size_t)n;

    if (pl_read_full(fd, (char *)value + n, rest) != rest) {
        errno = EIO;
        return -1;
    }
    return 0;
}

int sg_worker(int jobs_fd, int out_fd, const char *pidfile_path)
{
    int units = 0;

    sg_stop_requested = 0;
    if (create_pidfile(pidfile_path) == -1)
        return -1;
    if (sg_install_term_handler() == -1) {
        int err = errno;

        if (unlink(pidfile_path) == -1)
            pl_warn("unlink(%s)", pidfile_path);
        errno = err;
        return -1;
    }
    write_line(out_fd, "ready\n");

    /* NOTE: a SIGTERM that arrives after this check but before read()
     * blocks is seen only when the next job or end of file comes; Step 3
     * is about closing that kind of window. */
    while (!sg_stop_requested) {
        int a, b;
        ssize_t n = read(jobs_fd, &a, sizeof(a));

        if (n == -1 && errno == EINTR)
            continue; /* a signal woke the worker: check the flag again */
        if (n == -1)
            return -1;
        if (n == 0)
            break; /* no more jobs */
        if ((size_t)n < sizeof(a) && finish_int(jobs_fd, &a, n) == -1)
            return -1;
        write_line(out_fd, "start %d\n", units + 1);
        /* Inside a unit: pl_read_full() retries EINTR, so SIGTERM only
         * sets the flag and the unit is finished. */
        if (pl_read_full(jobs_fd, &b, sizeof(b)) != sizeof(b)) {
            errno = EIO;
            return -1;
        }
        units++;
        write_line(out_fd, "result %d %d\n", units, a + b);
    }

    if (unlink(pidfile_path) == -1)
        return -1;
    write_line(out_fd, "done %d units, cleaned up\n", units);
    return 0;
}

/* --- Step 2 ------------------------------------------------------------ */

void sg_on_child(int sig)
{
    /* waitpid() sets errno to ECHILD at the end of the loop, and the
     * interrupted code may be about to read errno. */
    int saved_errno = errno;
    pid_t pid;
    int status;

    (void)sig;
    /* Several children may have ended behind one SIGCHLD, and WNOHANG
     * makes the loop stop instead of waiting for children still running. */
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        if (sg_reaped_count < SG_MAX_REAPED) {
            sg_reaped[sg_reaped_count].pid = pid;
            sg_reaped[sg_reaped_count].status = status;
            sg_reaped_count++;
        }
    }
    errno = saved_errno;
}

int sg_install_child_handler(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = sg_on_child;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
    return sigaction(SIGCHLD, &sa, NULL);
}

/* --- Step 3 ------------------------------------------------------------ */

int sg_wait_until(int sig, int (*done)(void *arg), void *arg)
{
    sigset_t block;
    sigset_t old;
    sigset_t during_wait;

    if (done == NULL || sigemptyset(&block) == -1 ||
        sigaddset(&block, sig) == -1) {
        errno = EINVAL;
        return -1;
    }
    /* From here on sig stays pending instead of being handled between
     * the call of done() and the sleep. */
    if (sigprocmask(SIG_BLOCK, &block, &old) == -1)
        return -1;

    /* Unblock sig during the sleep even when the caller had it blocked,
     * or a signal that is already pending would never end the sleep. */
    during_wait = old;
    sigdelset(&during_wait, sig);
    while (!done(arg))
        sigsuspend(&during_wait); /* returns -1 EINTR after the handler */

    if (sigprocmask(SIG_SETMASK, &old, NULL) == -1)
        return -1;
    return 0;
}

/* --- Step 4 ------------------------------------------------------------ */

/*
 * Parse "KEY:\tHEX" from line into *out. Returns 1 when the line has that
 * key and a valid number, 0 when it has another key, -1 when it has the
 * key but no valid number.
 */
static int parse_mask_line(const char *line, const char *key, uint64_t *out)
{
    size_t len = strlen(key);
    unsigned long long value;
    char *end;

    if (strncmp(line, key, len) != 0)
        return 0;
    errno = 0;
    /* strtoull, not strtol: SIGRTMAX is bit 63, beyond LONG_MAX. */
    value = strtoull(line + len, &end, 16);
    if (errno != 0 || end == line + len || (*end != '\n' && *end != '\0'))
        return -1;
    *out = value;
    return 1;
}

int sg_read_masks(pid_t pid, struct sg_masks *m)
{
    static const char *const keys[] = {"SigBlk:", "SigIgn:", "SigCgt:"};
    uint64_t *fields[] = {&m->blocked, &m->ignored, &m->caught};
    char path[64];
    char line[256];
    int found = 0;
    FILE *f;

    if (pid == 0)
        snprintf(path, sizeof(path), "/proc/self/status");
    else
        snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    f = fopen(path, "re");
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof(line), f) != NULL) {
        for (int i = 0; i < 3; i++) {
            int rc = parse_mask_line(line, keys[i], fields[i]);

            if (rc == -1) {
                fclose(f);
                errno = EIO;
                return -1;
            }
            if (rc == 1)
                found |= 1 << i;
        }
    }
    fclose(f);
    if (found != 7) {
        errno = EIO;
        return -1;
    }
    return 0;
}

pid_t sg_exec_with_signals(const struct sg_exec_setup *setup,
                           char *const argv[], int out_fd)
{
    pid_t pid;

    if (setup == NULL || argv == NULL || argv[0] == NULL) {
        errno = EINVAL;
        return -1;
    }

    pid = pl_fork();
    if (pid == 0) {
        /* Child: change its own signal state only, so that the caller's
         * stays as it was; the changes below survive exec. */
        if (setup->ignore_sig != 0) {
            struct sigaction sa;

            memset(&sa, 0, sizeof(sa));
            sa.sa_handler = SIG_IGN;
            sigemptyset(&sa.sa_mask);
            if (sigaction(setup->ignore_sig, &sa, NULL) == -1)
                pl_die("sigaction(%d, SIG_IGN)", setup->ignore_sig);
        }
        if (setup->block_sig != 0) {
            sigset_t set;

            sigemptyset(&set);
            if (sigaddset(&set, setup->block_sig) == -1 ||
                sigprocmask(SIG_BLOCK, &set, NULL) == -1)
                pl_die("blocking signal %d", setup->block_sig);
        }
        if (out_fd != STDOUT_FILENO) {
            if (dup2(out_fd, STDOUT_FILENO) == -1)
                pl_die("dup2(%d, 1)", out_fd);
            pl_close(out_fd);
        }
        execv(argv[0], argv);
        pl_warn("execv(%s)", argv[0]);
        _exit(127);
    }

    /* Parent: the child runs on its own; the caller reaps it. */
    return pid;
}
