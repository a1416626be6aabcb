/*
 * watchdog.c - see watchdog.h.
 *
 * At the deadline the thread takes a snapshot of the test process and its
 * descendants from /proc and turns it into one message. The processes of
 * a hung call are blocked, so the snapshot holds still. The message
 * starts with what a student has to fix first: a reader waiting for end
 * of file that a forgotten write end holds back, then a writer blocked on
 * a full pipe, and otherwise what each process is doing.
 */
#include "watchdog.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "pl_test.h"
#include "proclab.h"

#define MAX_PROCS 32
#define MAX_ENDS 256
#define MAX_FDS_PER_PROC 64

/* What a process was doing when the deadline passed. */
enum activity {
    ACT_UNKNOWN, /* /proc/PID/syscall could not be read */
    ACT_RUNNING,
    ACT_READ,  /* blocked in read(), readv() or pread64() on fd */
    ACT_WRITE, /* blocked in write(), writev() or pwrite64() on fd */
    ACT_WAIT,  /* blocked in waitpid() or waitid() */
    ACT_OTHER, /* blocked in another system call, number nr */
    ACT_EXITED /* a zombie: it has exited and holds nothing */
};

struct proc {
    pid_t pid;
    int depth; /* 0 for the test process, 1 for its children, ... */
    char comm[64];
    enum activity act;
    long nr;   /* system call number, for ACT_OTHER */
    int fd;    /* the descriptor of ACT_READ and ACT_WRITE */
    char role[160];
};

/* One pipe end that one process holds. */
struct pipe_end {
    int proc; /* index in the process table */
    int fd;
    unsigned long inode;
    int writes; /* 1 for a write end, 0 for a read end */
};

struct snapshot {
    struct proc procs[MAX_PROCS];
    int nprocs;
    struct pipe_end ends[MAX_ENDS];
    int nends;
    int syscalls_known; /* how many processes had a readable syscall file */
};

/* A message under construction; it stops growing when the buffer is full. */
struct text {
    char buf[1000];
    size_t len;
};

static void add(struct text *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void add(struct text *t, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (t->len >= sizeof(t->buf) - 1)
        return;
    va_start(ap, fmt);
    n = vsnprintf(t->buf + t->len, sizeof(t->buf) - t->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        t->len += (size_t)n;
    if (t->len >= sizeof(t->buf))
        t->len = sizeof(t->buf) - 1;
}

/* --- taking the snapshot ----------------------------------------------- */

static int is_read_call(long nr)
{
    return nr == SYS_read || nr == SYS_readv || nr == SYS_pread64;
}

static int is_write_call(long nr)
{
    return nr == SYS_write || nr == SYS_writev || nr == SYS_pwrite64;
}

/*
 * Read /proc/PID/syscall: "NR ARG0 ARG1 ..." for a process blocked in a
 * system call, "running" for one on a CPU. It needs the same access as
 * ptrace, which a test process has over its own descendants.
 */
static void read_activity(struct proc *p)
{
    char path[64];
    char line[256];
    unsigned long arg0 = 0;
    FILE *f;
    int fields;

    snprintf(path, sizeof(path), "/proc/%d/syscall", (int)p->pid);
    f = fopen(path, "re");
    if (f == NULL)
        return;
    fields = fgets(line, sizeof(line), f) ? 1 : 0;
    fclose(f);
    if (!fields)
        return;
    if (strncmp(line, "running", 7) == 0) {
        p->act = ACT_RUNNING;
        return;
    }
    if (sscanf(line, "%ld 0x%lx", &p->nr, &arg0) < 1)
        return;
    p->fd = (int)arg0;
    if (is_read_call(p->nr))
        p->act = ACT_READ;
    else if (is_write_call(p->nr))
        p->act = ACT_WRITE;
    else if (p->nr == SYS_wait4 || p->nr == SYS_waitid)
        p->act = ACT_WAIT;
    else
        p->act = ACT_OTHER;
}

/* Return 1 when fd of pid is open for writing, 0 for reading, -1 unknown. */
static int end_writes(pid_t pid, int fd)
{
    char path[64];
    char line[128];
    unsigned int flags;
    int writes = -1;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)pid, fd);
    f = fopen(path, "re");
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof(line), f)) {
        if (sscanf(line, "flags: %o", &flags) == 1) {
            writes = (flags & O_ACCMODE) != O_RDONLY;
            break;
        }
    }
    fclose(f);
    return writes;
}

/*
 * Store up to max open descriptors of process pid in fds and return how
 * many were stored, or -1 with errno.
 *
 * NOTE: this does what pl_proc_list_fds() does, because that function
 * leaves out the descriptor number of its own directory stream, which is
 * right for this process but hides the same number in any other one.
 */
static int list_fds(pid_t pid, int *fds, int max)
{
    char path[64];
    struct dirent *e;
    DIR *d;
    int count = 0;

    snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
    d = opendir(path);
    if (d == NULL)
        return -1;
    while ((e = readdir(d)) != NULL && count < max) {
        if (e->d_name[0] == '.')
            continue;
        if (pid == getpid() && atoi(e->d_name) == dirfd(d))
            continue;
        fds[count++] = atoi(e->d_name);
    }
    closedir(d);
    return count;
}

static void add_pipe_ends(struct snapshot *s, int index)
{
    int fds[MAX_FDS_PER_PROC];
    pid_t pid = s->procs[index].pid;
    int n = list_fds(pid, fds, MAX_FDS_PER_PROC);
    char target[128];

    for (int i = 0; i < n; i++) {
        unsigned long inode;
        int writes;

        if (s->nends == MAX_ENDS)
            return;
        if (pl_proc_fd_target(pid, fds[i], target, sizeof(target)) != 0 ||
            sscanf(target, "pipe:[%lu]", &inode) != 1)
            continue;
        writes = end_writes(pid, fds[i]);
        if (writes < 0)
            continue;
        s->ends[s->nends++] = (struct pipe_end){index, fds[i], inode, writes};
    }
}

/* Name p for the message; comm is the test process's program name. */
static void name_role(struct proc *p, const char *call, const char *comm)
{
    const char *kin = p->depth == 1 ? "a child" : "a grandchild";

    if (p->depth == 0)
        snprintf(p->role, sizeof(p->role), "process %d (the caller of %s)",
                 (int)p->pid, call);
    else if (strcmp(p->comm, comm) == 0)
        snprintf(p->role, sizeof(p->role), "process %d (%s of the caller)",
                 (int)p->pid, kin);
    else
        snprintf(p->role, sizeof(p->role),
                 "process %d (%s of the caller, running %s)", (int)p->pid,
                 kin, p->comm);
}

/* Record the test process and, breadth first, every process below it. */
static void take_snapshot(struct snapshot *s, const char *call)
{
    memset(s, 0, sizeof(*s));
    s->procs[0].pid = getpid();
    s->nprocs = 1;
    for (int i = 0; i < s->nprocs; i++) {
        struct proc *p = &s->procs[i];
        struct pl_proc_stat st;
        pid_t kids[MAX_PROCS];
        int n;

        if (pl_proc_read_stat(p->pid, &st) != 0) {
            /* It ended and was reaped while the snapshot was taken. */
            snprintf(p->role, sizeof(p->role), "process %d", (int)p->pid);
            p->act = ACT_EXITED;
            continue;
        }
        snprintf(p->comm, sizeof(p->comm), "%s", st.comm);
        name_role(p, call, s->procs[0].comm);
        if (st.state == 'Z') {
            p->act = ACT_EXITED;
            continue;
        }
        read_activity(p);
        if (p->act != ACT_UNKNOWN)
            s->syscalls_known++;
        add_pipe_ends(s, i);
        n = pl_proc_children(p->pid, kids, MAX_PROCS);
        for (int k = 0; k < n && k < MAX_PROCS && s->nprocs < MAX_PROCS;
             k++) {
            s->procs[s->nprocs].pid = kids[k];
            s->procs[s->nprocs].depth = p->depth + 1;
            s->nprocs++;
        }
    }
}

/* --- turning it into words --------------------------------------------- */

/* Return the pipe end that process index has open as fd, or NULL. */
static const struct pipe_end *find_end(const struct snapshot *s, int index,
                                       int fd)
{
    for (int i = 0; i < s->nends; i++)
        if (s->ends[i].proc == index && s->ends[i].fd == fd)
            return &s->ends[i];
    return NULL;
}

static void add_activity(struct text *t, const struct proc *p)
{
    switch (p->act) {
    case ACT_RUNNING:
        add(t, "is running");
        break;
    case ACT_READ:
        add(t, "is blocked in read() on fd %d", p->fd);
        break;
    case ACT_WRITE:
        add(t, "is blocked in write() on fd %d", p->fd);
        break;
    case ACT_WAIT:
        add(t, "is blocked in waitpid()");
        break;
    case ACT_OTHER:
        add(t, "is blocked in system call %ld", p->nr);
        break;
    case ACT_EXITED:
        add(t, "has exited but was not waited for yet");
        break;
    case ACT_UNKNOWN:
        add(t, "is in a state /proc does not show");
        break;
    }
}

/*
 * List the ends of the given kind (write ends when writes is 1) of pipe
 * inode, as "process N (...) as fd 4 and in process M (...) as fd 6". An
 * end that process self holds reads "that same process as fd 4". With
 * say_activity, each other holder's activity follows. Returns how many
 * ends there are.
 */
static int add_holders(struct text *t, const struct snapshot *s,
                       unsigned long inode, int writes, int self,
                       int say_activity)
{
    int count = 0;

    for (int i = 0; i < s->nends; i++) {
        const struct pipe_end *e = &s->ends[i];
        const struct proc *p = &s->procs[e->proc];

        if (e->inode != inode || e->writes != writes)
            continue;
        if (count > 0)
            add(t, " and in ");
        if (e->proc == self) {
            add(t, "that same process as fd %d", e->fd);
        } else {
            add(t, "%s as fd %d", p->role, e->fd);
            if (say_activity) {
                add(t, ", which ");
                add_activity(t, p);
            }
        }
        count++;
    }
    return count;
}

/* Return 1 when a process other than index holds a read end of inode. */
static int holds_other_reader(const struct snapshot *s, int index,
                              unsigned long inode)
{
    for (int i = 0; i < s->nends; i++)
        if (s->ends[i].proc != index && s->ends[i].inode == inode &&
            !s->ends[i].writes)
            return 1;
    return 0;
}

/* Return 1 when process index holds a write end of pipe inode. */
static int holds_write_end(const struct snapshot *s, int index,
                           unsigned long inode)
{
    for (int i = 0; i < s->nends; i++)
        if (s->ends[i].proc == index && s->ends[i].inode == inode &&
            s->ends[i].writes)
            return 1;
    return 0;
}

/*
 * Return the pipe end that process index is blocked reading while some
 * process holds a write end of the same pipe, or NULL.
 */
static const struct pipe_end *stuck_read(const struct snapshot *s, int index)
{
    const struct proc *p = &s->procs[index];
    const struct pipe_end *e;

    if (p->act != ACT_READ || (e = find_end(s, index, p->fd)) == NULL ||
        e->writes)
        return NULL;
    for (int i = 0; i < s->nprocs; i++)
        if (holds_write_end(s, i, e->inode))
            return e;
    return NULL;
}

/*
 * Choose the reader to explain. Processes often wait on each other in a
 * cycle: a parent reads the child's reply while the child reads data
 * whose write end the parent never closed. The cause is then the child's
 * read, so a reader that holds its own write end comes first, a child
 * next, and the caller last. Returns the index, or -1 for none.
 */
static int choose_reader(const struct snapshot *s)
{
    int child = -1;
    int caller = -1;

    for (int i = 0; i < s->nprocs; i++) {
        const struct pipe_end *e = stuck_read(s, i);

        if (e == NULL)
            continue;
        if (holds_write_end(s, i, e->inode))
            return i;
        if (s->procs[i].depth > 0 && child == -1)
            child = i;
        if (s->procs[i].depth == 0)
            caller = i;
    }
    return child != -1 ? child : caller;
}

/* Explain a reader still waiting for end of file. Returns 1 if any. */
static int explain_reader(struct text *t, const struct snapshot *s)
{
    int i = choose_reader(s);
    const struct pipe_end *e;
    struct text holders = {{0}, 0};

    if (i == -1)
        return 0;
    e = stuck_read(s, i);
    add_holders(&holders, s, e->inode, 1, i, 0);
    add(t, "The reader never saw end of file: %s is blocked in read() on "
        "fd %d (pipe:[%lu]), and a write end of that pipe is still open in "
        "%s. A reader sees end of file only when every write end is "
        "closed, in every process: each process must close the ends it "
        "does not use, and a writer its own end once it has sent "
        "everything.",
        s->procs[i].role, s->procs[i].fd, e->inode, holders.buf);
    return 1;
}

/* Explain the first writer blocked on a full pipe. Returns 1 if any. */
static int explain_writer(struct text *t, const struct snapshot *s)
{
    for (int i = 0; i < s->nprocs; i++) {
        const struct proc *p = &s->procs[i];
        const struct pipe_end *e;
        struct text holders = {{0}, 0};
        int readers;

        if (p->act != ACT_WRITE || (e = find_end(s, i, p->fd)) == NULL ||
            !e->writes)
            continue;
        readers = add_holders(&holders, s, e->inode, 0, i, 1);
        if (readers == 0)
            continue;
        add(t, "The pipe is full and nobody reads it: %s is blocked in "
            "write() on fd %d (pipe:[%lu]), and its read end is open in "
            "%s. ",
            p->role, p->fd, e->inode, holders.buf);
        if (!holds_other_reader(s, i, e->inode))
            add(t, "Only the writer itself could read it, so the write "
                "waits forever: a write end that must not block needs "
                "O_NONBLOCK, and then write() fails with EAGAIN instead.");
        else
            add(t, "A process that holds a read end it never reads keeps "
                "the writer blocked, where it would otherwise get SIGPIPE: "
                "close every read end a process does not read.");
        return 1;
    }
    return 0;
}

/* Without /proc/PID/syscall: list the pipes that have both ends open. */
static void explain_open_pipes(struct text *t, const struct snapshot *s)
{
    int listed = 0;

    for (int i = 0; i < s->nends; i++) {
        const struct pipe_end *e = &s->ends[i];
        struct text writers = {{0}, 0};
        int first = 1;

        if (e->writes)
            continue;
        for (int j = 0; j < i; j++)
            if (s->ends[j].inode == e->inode && !s->ends[j].writes)
                first = 0;
        if (!first)
            continue;
        if (add_holders(&writers, s, e->inode, 1, -1, 0) == 0)
            continue;
        add(t, "%s pipe:[%lu] is read by %s and still has a write end "
            "open in %s.",
            listed ? "" : "Pipes with both ends open:", e->inode,
            s->procs[e->proc].role, writers.buf);
        listed++;
    }
    add(t, " A reader sees end of file only when every write end is "
        "closed, in every process.");
}

static void explain_processes(struct text *t, const struct snapshot *s)
{
    add(t, "When it was stopped, ");
    for (int i = 0; i < s->nprocs; i++) {
        add(t, "%s%s ", i == 0 ? "" : "; ", s->procs[i].role);
        add_activity(t, &s->procs[i]);
    }
    add(t, ".");
}

static void diagnose(struct watchdog *w, struct text *t)
{
    struct snapshot *s = malloc(sizeof(*s));

    add(t, "%s did not return within %.1f s, so the test stopped it. ",
        w->call, WATCHDOG_MS * pl_test_scale() / 1000.0);
    if (s == NULL) {
        add(t, "(no memory to inspect the processes)");
        return;
    }
    take_snapshot(s, w->call);
    if (explain_reader(t, s) || explain_writer(t, s)) {
        free(s);
        return;
    }
    if (s->syscalls_known == 0)
        explain_open_pipes(t, s);
    else
        explain_processes(t, s);
    free(s);
}

/* --- the thread -------------------------------------------------------- */

static void *watch(void *arg)
{
    struct watchdog *w = arg;
    struct timespec deadline;
    long long ms = (long long)(WATCHDOG_MS * pl_test_scale());
    struct text message = {{0}, 0};

    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += ms / 1000;
    deadline.tv_nsec += (ms % 1000) * 1000000;
    if (deadline.tv_nsec >= 1000000000) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000;
    }

    pthread_mutex_lock(&w->lock);
    while (!w->done) {
        if (pthread_cond_timedwait(&w->wake, &w->lock, &deadline) ==
            ETIMEDOUT)
            break;
    }
    if (w->done) {
        pthread_mutex_unlock(&w->lock);
        return NULL;
    }
    pthread_mutex_unlock(&w->lock);

    /* Fails the test and ends the test process, whatever its main thread
     * is doing; the harness then kills and reaps what is left. */
    diagnose(w, &message);
    pl_fail(w->file, w->line, "%s", message.buf);
}

void watchdog_start(struct watchdog *w, const char *call, const char *file,
                    int line)
{
    pthread_condattr_t attr;
    int err;

    memset(w, 0, sizeof(*w));
    w->call = call;
    w->file = file;
    w->line = line;
    pthread_mutex_init(&w->lock, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&w->wake, &attr);
    pthread_condattr_destroy(&attr);
    err = pthread_create(&w->thread, NULL, watch, w);
    if (err == 0) {
        w->started = 1;
        return;
    }
    /* EAGAIN here usually means that the test user's processes, which
     * RLIMIT_NPROC counts together with threads, reached the limit. The
     * call still runs, with only the test's own deadline over it. */
    fprintf(stderr,
            "proclab: pthread_create() failed: %s (%s), so %s runs without "
            "the watchdog and a hang will not be explained\n",
            pl_errno_name(err), strerror(err), call);
}

void watchdog_stop(struct watchdog *w)
{
    if (!w->started) {
        pthread_cond_destroy(&w->wake);
        pthread_mutex_destroy(&w->lock);
        return;
    }
    pthread_mutex_lock(&w->lock);
    w->done = 1;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);

    /* When the deadline passed first, the thread ends the whole process
     * and this join never returns. */
    pthread_join(w->thread, NULL);
    pthread_cond_destroy(&w->wake);
    pthread_mutex_destroy(&w->lock);
}
