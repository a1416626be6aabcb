/*
 * pl_proc.c - readers for /proc.
 */
#include "pl_proc.h"

#include "pl_sys.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static pid_t resolve(pid_t pid)
{
    return pid == 0 ? getpid() : pid;
}

/*
 * The program name in /proc/PID/stat is in parentheses and may itself
 * contain spaces and ')', so the fields after it start after the last ')'.
 */
static int parse_stat(const char *line, struct pl_proc_stat *st)
{
    const char *open = strchr(line, '(');
    const char *close = strrchr(line, ')');
    size_t n;
    int pid, ppid, pgrp, session;
    unsigned long minflt, majflt;

    if (!open || !close || close < open) {
        errno = EPROTO;
        return -1;
    }
    pid = atoi(line);
    n = (size_t)(close - open - 1);
    if (n >= sizeof(st->comm))
        n = sizeof(st->comm) - 1;
    memcpy(st->comm, open + 1, n);
    st->comm[n] = '\0';

    /* Fields 3 to 20: state ppid pgrp session tty tpgid flags minflt
     * cminflt majflt cmajflt utime stime cutime cstime priority nice
     * num_threads. */
    if (sscanf(close + 2,
               "%c %d %d %d %*d %*d %*u %lu %*u %lu %*u %*u %*u %*d %*d "
               "%*d %*d %d",
               &st->state, &ppid, &pgrp, &session, &minflt, &majflt,
               &st->threads) != 7) {
        errno = EPROTO;
        return -1;
    }
    st->pid = pid;
    st->ppid = ppid;
    st->pgrp = pgrp;
    st->session = session;
    st->minflt = (long)minflt;
    st->majflt = (long)majflt;
    return 0;
}

int pl_proc_read_stat(pid_t pid, struct pl_proc_stat *st)
{
    char path[64], line[1024];
    FILE *f;
    int ok;

    snprintf(path, sizeof(path), "/proc/%d/stat", (int)resolve(pid));
    f = fopen(path, "re");
    if (!f)
        return -1;
    ok = fgets(line, sizeof(line), f) != NULL;
    fclose(f);
    if (!ok) {
        /* The process exited between open and read. */
        errno = ENOENT;
        return -1;
    }
    return parse_stat(line, st);
}

/* A mapping's header line in smaps: "start-end perms offset dev inode". */
static int header_contains(const char *line, unsigned long addr, int *is_hdr)
{
    unsigned long start, end;
    char dash;

    *is_hdr = sscanf(line, "%lx%c%lx", &start, &dash, &end) == 3 &&
              dash == '-';
    return *is_hdr && addr >= start && addr < end;
}

long pl_proc_private_dirty_kb(const void *addr)
{
    char line[512];
    unsigned long target = (unsigned long)addr;
    int inside = 0, is_hdr;
    long kb = -1;
    FILE *f = fopen("/proc/self/smaps", "re");

    if (!f)
        return -1;
    while (fgets(line, sizeof(line), f)) {
        if (header_contains(line, target, &is_hdr)) {
            inside = 1;
            continue;
        }
        if (is_hdr && inside)
            break;
        if (inside && sscanf(line, "Private_Dirty: %ld kB", &kb) == 1)
            break;
    }
    fclose(f);
    if (kb < 0)
        errno = ENOENT;
    return kb;
}

static int compare_ints(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;

    return (x > y) - (x < y);
}

int pl_proc_list_fds(pid_t pid, int *fds, int max)
{
    char path[64];
    struct dirent *e;
    DIR *d;
    int count = 0;
    int self = resolve(pid) == getpid();

    snprintf(path, sizeof(path), "/proc/%d/fd", (int)resolve(pid));
    d = opendir(path);
    if (!d)
        return -1;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        /* In this process, leave out the descriptor opendir() itself is
         * using; in another, that number is one of its own. */
        if (self && atoi(e->d_name) == dirfd(d))
            continue;
        if (count < max)
            fds[count] = atoi(e->d_name);
        count++;
    }
    closedir(d);
    qsort(fds, (size_t)(count < max ? count : max), sizeof(int),
          compare_ints);
    return count;
}

int pl_proc_fd_target(pid_t pid, int fd, char *buf, size_t len)
{
    char path[64];
    ssize_t n;

    if (len == 0) {
        errno = EINVAL;
        return -1;
    }
    snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)resolve(pid), fd);
    n = readlink(path, buf, len - 1);
    if (n == -1)
        return -1;
    buf[n] = '\0';
    return 0;
}

/* Read the space-separated PIDs in one children file. */
static int read_children_file(const char *path, pid_t *out, int max,
                              int count)
{
    FILE *f = fopen(path, "re");
    int child;

    if (!f)
        return -1;
    while (fscanf(f, "%d", &child) == 1) {
        if (count < max)
            out[count] = child;
        count++;
    }
    fclose(f);
    return count;
}

/* Used where CONFIG_PROC_CHILDREN is off: look at every process. */
static int scan_for_children(pid_t parent, pid_t *out, int max)
{
    struct pl_proc_stat st;
    struct dirent *e;
    DIR *d = opendir("/proc");
    int count = 0;

    if (!d)
        return -1;
    while ((e = readdir(d)) != NULL) {
        pid_t pid = atoi(e->d_name);

        if (pid <= 0 || pl_proc_read_stat(pid, &st) == -1)
            continue;
        if (st.ppid != parent)
            continue;
        if (count < max)
            out[count] = pid;
        count++;
    }
    closedir(d);
    return count;
}

int pl_proc_children(pid_t pid, pid_t *out, int max)
{
    char path[300];
    struct dirent *e;
    DIR *d;
    int count = 0;

    pid = resolve(pid);
    snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
    d = opendir(path);
    if (!d)
        return -1;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "/proc/%d/task/%s/children", (int)pid,
                 e->d_name);
        count = read_children_file(path, out, max, count);
        if (count == -1)
            break;
    }
    closedir(d);
    if (count == -1)
        return scan_for_children(pid, out, max);
    return count;
}

int pl_proc_count_user(uid_t uid)
{
    struct dirent *e;
    DIR *d = opendir("/proc");
    int count = 0;

    if (!d)
        return -1;
    while ((e = readdir(d)) != NULL) {
        struct pl_proc_stat ps;
        char path[300];
        struct stat st;

        if (e->d_name[0] < '1' || e->d_name[0] > '9')
            continue;
        snprintf(path, sizeof(path), "/proc/%s", e->d_name);
        if (stat(path, &st) == 0 && st.st_uid == uid &&
            pl_proc_read_stat(atoi(e->d_name), &ps) == 0)
            count += ps.threads;
    }
    closedir(d);
    return count;
}

int pl_proc_wait_state(pid_t pid, char state, int timeout_ms)
{
    struct pl_proc_stat st;
    long long deadline = pl_now_ms() + timeout_ms;
    long pause_ns = 1000000;

    for (;;) {
        if (pl_proc_read_stat(pid, &st) == -1)
            return -1;
        if (st.state == state)
            return 0;
        if (pl_now_ms() >= deadline) {
            errno = ETIMEDOUT;
            return -1;
        }

        /* No event announces a state change, so poll: every millisecond
         * at first, backing off to 20 ms for slow changes. */
        struct timespec ts = {0, pause_ns};
        nanosleep(&ts, NULL);
        if (pause_ns < 20000000)
            pause_ns *= 2;
    }
}
