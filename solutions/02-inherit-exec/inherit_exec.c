/*
 * inherit_exec.c - Lab 02: what a child inherits, and what exec keeps
 * (reference solution).
 *
 * Each function forks one child and has it report, through a pipe, a
 * file or its exit code, what it inherited from the parent. The handout
 * is labs/02-inherit-exec/README.md.
 *
 * Calls to fork, pipe, close, waitpid, read and write go through the pl_
 * wrappers from common/, and every other call is checked here. A failure
 * ends the process with a message. In a child made by pl_fork() that end
 * is _exit(), as on every other path here, so no child flushes stdio
 * buffers it copied from the parent or runs the parent's atexit handlers.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "inherit_exec.h"
#include "proclab.h"

/* Exit code of a child whose execve() failed, as in the shell. */
#define EXEC_FAILED 127

/* Return 0 when status is an exit with code 0, else -1 with errno EIO. */
static int check_exit_zero(int status)
{
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        errno = EIO;
        return -1;
    }
    return 0;
}

/*
 * Read one report of len bytes from fd, close fd and reap pid. Returns 0,
 * or -1 with errno EIO when the child closed its end before sending the
 * full report or ended other than with exit code 0.
 */
static int finish_child(pid_t pid, int fd, void *report, size_t len)
{
    size_t got = pl_read_full(fd, report, len);
    int status;

    pl_close(fd);
    pl_waitpid(pid, &status, 0);
    if (got != len) {
        errno = EIO;
        return -1;
    }
    return check_exit_zero(status);
}

/* Send one report to the parent, close the write end, and end the child. */
static void send_and_exit(int fd, const void *report, size_t len)
{
    pl_write_all(fd, report, len);
    pl_close(fd);
    _exit(0);
}

static int open_file(const char *path, int flags)
{
    int fd = open(path, flags, 0644);

    if (fd == -1)
        pl_die("open(%s)", path);
    return fd;
}

static void write_text(int fd, const char *text)
{
    pl_write_all(fd, text, strlen(text));
}

static off_t current_offset(int fd)
{
    off_t offset = lseek(fd, 0, SEEK_CUR);

    if (offset == -1)
        pl_die("lseek(fd=%d, 0, SEEK_CUR)", fd);
    return offset;
}

/* --- Step 1 ------------------------------------------------------------ */

int ie_write_shared(const char *path, const char *parent_text,
                    const char *child_text, off_t *parent_offset)
{
    struct pl_sync sync;
    int status;
    int fd;
    pid_t pid;

    if (path == NULL || parent_text == NULL || child_text == NULL ||
        parent_offset == NULL) {
        errno = EINVAL;
        return -1;
    }

    /* One open() before fork: both processes get a descriptor for the
     * same open file description, so they share its offset. */
    fd = open_file(path, O_WRONLY | O_CREAT | O_TRUNC);
    pl_sync_init(&sync);
    pid = pl_fork();
    if (pid == 0) {
        /* Child: write only after the parent has written. */
        pl_sync_child(&sync);
        if (pl_sync_wait(&sync) != 0)
            _exit(PL_EXIT_FAILURE);
        write_text(fd, child_text);
        pl_sync_close(&sync);
        pl_close(fd);
        _exit(0);
    }

    pl_sync_parent(&sync);
    write_text(fd, parent_text);
    pl_sync_send(&sync);
    pl_sync_close(&sync);
    pl_waitpid(pid, &status, 0);
    /* The parent wrote nothing more, yet its offset moved past the
     * child's text too. */
    *parent_offset = current_offset(fd);
    pl_close(fd);
    return check_exit_zero(status);
}

int ie_write_separate(const char *path, const char *parent_text,
                      const char *child_text, off_t *parent_offset)
{
    struct pl_sync sync;
    int status;
    int fd;
    pid_t pid;

    if (path == NULL || parent_text == NULL || child_text == NULL ||
        parent_offset == NULL) {
        errno = EINVAL;
        return -1;
    }

    /* Empty the file now: an O_TRUNC after fork could wipe out what the
     * other process had already written. */
    pl_close(open_file(path, O_WRONLY | O_CREAT | O_TRUNC));
    pl_sync_init(&sync);
    pid = pl_fork();
    if (pid == 0) {
        /* Child: its own open(), so its own offset, starting at 0. */
        pl_sync_child(&sync);
        fd = open_file(path, O_WRONLY);
        if (pl_sync_wait(&sync) != 0)
            _exit(PL_EXIT_FAILURE);
        write_text(fd, child_text);
        pl_sync_close(&sync);
        pl_close(fd);
        _exit(0);
    }

    pl_sync_parent(&sync);
    fd = open_file(path, O_WRONLY);
    write_text(fd, parent_text);
    pl_sync_send(&sync);
    pl_sync_close(&sync);
    pl_waitpid(pid, &status, 0);
    *parent_offset = current_offset(fd);
    pl_close(fd);
    return check_exit_zero(status);
}

/* --- Step 2 ------------------------------------------------------------ */

int ie_print_once(void)
{
    int status;
    pid_t pid;

    printf("%s\n", IE_LINE_BEFORE);
    /* On a file or a pipe, stdout is fully buffered and the line is still
     * in this process's buffer. Unless it is written out now, the child
     * gets a copy of the buffer and prints the line a second time. */
    if (fflush(stdout) == EOF)
        pl_die("fflush(stdout)");

    pid = pl_fork();
    if (pid == 0) {
        printf("%s\n", IE_LINE_CHILD);
        /* _exit() discards stdio buffers, so write this line out first. */
        if (fflush(stdout) == EOF)
            _exit(PL_EXIT_FAILURE);
        _exit(0);
    }

    pl_waitpid(pid, &status, 0);
    printf("%s\n", IE_LINE_PARENT);
    return check_exit_zero(status);
}

/* --- Step 3 ------------------------------------------------------------ */

int ie_setenv_in_child(const char *name, const char *value,
                       struct ie_env_report *r)
{
    char child_value[IE_VALUE_MAX];
    const char *parent_value;
    int fds[2];
    pid_t pid;

    if (name == NULL || value == NULL || r == NULL || name[0] == '\0' ||
        strchr(name, '=') != NULL || strlen(value) >= IE_VALUE_MAX) {
        errno = EINVAL;
        return -1;
    }

    pl_pipe(fds);
    pid = pl_fork();
    if (pid == 0) {
        /* Child: it changes only its own copy of the environment. */
        const char *seen;

        pl_close(fds[0]);
        if (setenv(name, value, 1) != 0)
            pl_die("setenv(%s)", name);
        seen = getenv(name);
        /* Zero the rest of the buffer: it is sent whole. */
        memset(child_value, 0, sizeof(child_value));
        if (seen != NULL)
            snprintf(child_value, sizeof(child_value), "%s", seen);
        send_and_exit(fds[1], child_value, sizeof(child_value));
    }

    /* Parent: it closes the write end so that its read ends at end of
     * file if the child dies before sending. */
    pl_close(fds[1]);
    if (finish_child(pid, fds[0], child_value, sizeof(child_value)) != 0)
        return -1;

    memcpy(r->child_value, child_value, sizeof(child_value));
    r->child_value[IE_VALUE_MAX - 1] = '\0';
    parent_value = getenv(name);
    r->parent_has = parent_value != NULL;
    snprintf(r->parent_value, sizeof(r->parent_value), "%s",
             parent_value != NULL ? parent_value : "");
    return 0;
}

int ie_spawn(const char *path, char *const argv[], char *const envp[],
             int out_fd, pid_t *child_pid)
{
    int status;
    pid_t pid;

    if (path == NULL || argv == NULL || envp == NULL || out_fd < 0) {
        errno = EINVAL;
        return -1;
    }

    pid = pl_fork();
    if (pid == 0) {
        /* dup2() gives the copy on descriptor 1 no close-on-exec flag,
         * even when out_fd has one, so the new program keeps it. */
        if (out_fd != STDOUT_FILENO && dup2(out_fd, STDOUT_FILENO) == -1)
            _exit(EXEC_FAILED);
        execve(path, argv, envp);
        /* Only a failed execve() returns. */
        _exit(EXEC_FAILED);
    }

    if (child_pid != NULL)
        *child_pid = pid;
    pl_waitpid(pid, &status, 0);
    if (!WIFEXITED(status)) {
        errno = EIO;
        return -1;
    }
    return WEXITSTATUS(status);
}

/* --- Step 4 ------------------------------------------------------------ */

static int open_dev_null(int flags)
{
    return open_file("/dev/null", O_RDONLY | flags);
}

/* Set FD_CLOEXEC in fd's descriptor flags, keeping the other flags. */
static void set_cloexec(int fd)
{
    int flags = fcntl(fd, F_GETFD);

    if (flags == -1)
        pl_die("fcntl(fd=%d, F_GETFD)", fd);
    if (fcntl(fd, F_SETFD, flags | FD_CLOEXEC) == -1)
        pl_die("fcntl(fd=%d, F_SETFD, FD_CLOEXEC)", fd);
}

int ie_exec_with_fds(const char *path, char *const argv[], int out_fd,
                     struct ie_exec_report *r)
{
    int code;

    if (path == NULL || argv == NULL || r == NULL) {
        errno = EINVAL;
        return -1;
    }

    r->plain_fd = open_dev_null(0);
    r->ocloexec_fd = open_dev_null(O_CLOEXEC);
    /* Marking after open() leaves a moment in which a fork and exec in
     * another thread would carry the descriptor over, and O_CLOEXEC has
     * no such moment. In a program without other threads both work. */
    r->fdcloexec_fd = open_dev_null(0);
    set_cloexec(r->fdcloexec_fd);

    code = ie_spawn(path, argv, environ, out_fd, &r->child_pid);

    pl_close(r->plain_fd);
    pl_close(r->ocloexec_fd);
    pl_close(r->fdcloexec_fd);
    if (code == -1)
        return -1;
    r->exit_code = code;
    return 0;
}

/* --- Step 5 ------------------------------------------------------------ */

int ie_pending_in_child(int sig, struct ie_signal_report *r)
{
    struct timespec no_wait = {0, 0};
    struct ie_signal_report child;
    sigset_t block;
    sigset_t old_mask;
    sigset_t pending;
    int fds[2];
    int rc;
    pid_t pid;

    if (r == NULL || sig <= 0 || sig >= NSIG || sig == SIGKILL ||
        sig == SIGSTOP) {
        errno = EINVAL;
        return -1;
    }

    sigemptyset(&block);
    sigaddset(&block, sig);
    if (sigprocmask(SIG_BLOCK, &block, &old_mask) == -1)
        pl_die("sigprocmask(SIG_BLOCK, %s)", pl_signal_name(sig));
    /* Blocked, the signal is not delivered: it stays pending. */
    if (raise(sig) != 0)
        pl_die("raise(%s)", pl_signal_name(sig));
    if (sigpending(&pending) == -1)
        pl_die("sigpending()");
    r->parent_pending = sigismember(&pending, sig) == 1;

    pl_pipe(fds);
    pid = pl_fork();
    if (pid == 0) {
        /* Child: fork() gave it the parent's mask but an empty pending
         * set. */
        sigset_t mask;

        pl_close(fds[0]);
        if (sigpending(&pending) == -1)
            pl_die("sigpending()");
        if (sigprocmask(SIG_BLOCK, NULL, &mask) == -1)
            pl_die("sigprocmask(SIG_BLOCK, NULL)");
        child.parent_pending = 0;
        child.child_pending = sigismember(&pending, sig) == 1;
        child.child_blocked = sigismember(&mask, sig) == 1;
        send_and_exit(fds[1], &child, sizeof(child));
    }

    pl_close(fds[1]);
    rc = finish_child(pid, fds[0], &child, sizeof(child));

    /* Accept the signal while it is still blocked. Once the old mask is
     * back, it would otherwise be delivered to the caller at once. */
    if (r->parent_pending && sigtimedwait(&block, NULL, &no_wait) == -1)
        pl_die("sigtimedwait(%s)", pl_signal_name(sig));
    if (sigprocmask(SIG_SETMASK, &old_mask, NULL) == -1)
        pl_die("sigprocmask(SIG_SETMASK)");
    if (rc != 0)
        return -1;
    r->child_pending = child.child_pending;
    r->child_blocked = child.child_blocked;
    return 0;
}

/* Return how many threads this process has, by counting the entries of
 * /proc/self/task. */
static int count_threads(void)
{
    DIR *dir = opendir("/proc/self/task");
    struct dirent *entry;
    int count = 0;

    if (dir == NULL)
        pl_die("opendir(/proc/self/task)");
    while ((entry = readdir(dir)) != NULL)
        if (entry->d_name[0] != '.')
            count++;
    closedir(dir);
    return count;
}

/* Thread body: block in read() until every write end of the pipe whose
 * read end is *arg is closed. End of file is the signal to end. */
static void *wait_for_end(void *arg)
{
    int fd = *(const int *)arg;
    char byte;

    while (read(fd, &byte, 1) == -1 && errno == EINTR)
        ;
    return NULL;
}

int ie_threads_in_child(int extra, struct ie_thread_report *r)
{
    pthread_t threads[IE_THREADS_MAX];
    int stop[2];
    int fds[2];
    int started;
    int child_threads;
    int rc = 0;
    pid_t pid;

    if (r == NULL || extra < 1 || extra > IE_THREADS_MAX) {
        errno = EINVAL;
        return -1;
    }

    pl_pipe(stop);
    for (started = 0; started < extra; started++) {
        int err = pthread_create(&threads[started], NULL, wait_for_end,
                                 &stop[0]);

        if (err != 0) {
            errno = err;
            rc = -1;
            break;
        }
    }

    if (rc == 0) {
        /* pthread_create() returns after the kernel made the thread, so
         * each one is already in /proc/self/task. */
        r->parent_threads = count_threads();
        pl_pipe(fds);
        pid = pl_fork();
        if (pid == 0) {
            /* Child: only the thread that called fork() exists here.
             * opendir() allocates memory, which is safe because glibc's
             * fork() leaves malloc usable in the child even when other
             * threads were using it. */
            pl_close(fds[0]);
            child_threads = count_threads();
            send_and_exit(fds[1], &child_threads, sizeof(child_threads));
        }
        pl_close(fds[1]);
        rc = finish_child(pid, fds[0], &child_threads,
                          sizeof(child_threads));
        if (rc == 0)
            r->child_threads = child_threads;
    }

    /* Closing the write end makes every thread's read() return 0. */
    pl_close(stop[1]);
    for (int i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    pl_close(stop[0]);
    return rc;
}

/* A write-lock request for the whole file: from offset 0 to the end. */
static struct flock whole_file_write_lock(void)
{
    struct flock lock;

    memset(&lock, 0, sizeof(lock));
    lock.l_type = F_WRLCK;
    lock.l_whence = SEEK_SET;
    lock.l_start = 0;
    lock.l_len = 0;
    return lock;
}

int ie_lock_in_child(const char *path, struct ie_lock_report *r)
{
    struct ie_lock_report child;
    struct flock lock;
    int fds[2];
    int fd;
    int rc;
    pid_t pid;

    if (path == NULL || r == NULL) {
        errno = EINVAL;
        return -1;
    }

    fd = open_file(path, O_RDWR | O_CREAT);
    lock = whole_file_write_lock();
    if (fcntl(fd, F_SETLK, &lock) == -1)
        pl_die("fcntl(%s, F_SETLK, F_WRLCK)", path);

    pl_pipe(fds);
    pid = pl_fork();
    if (pid == 0) {
        /* Child: same descriptor, but record locks belong to a process,
         * and this process holds none. */
        pl_close(fds[0]);
        memset(&child, 0, sizeof(child));
        child.child_pid = getpid();
        lock = whole_file_write_lock();
        if (fcntl(fd, F_SETLK, &lock) == -1) {
            if (errno != EAGAIN && errno != EACCES)
                pl_die("fcntl(%s, F_SETLK, F_WRLCK)", path);
            child.child_errno = errno;
        }
        lock = whole_file_write_lock();
        if (fcntl(fd, F_GETLK, &lock) == -1)
            pl_die("fcntl(%s, F_GETLK)", path);
        child.holder_type = lock.l_type;
        child.holder_pid = lock.l_pid;
        send_and_exit(fds[1], &child, sizeof(child));
    }

    pl_close(fds[1]);
    /* A process's own locks never conflict with its requests, so F_GETLK
     * in the parent finds no lock in the way. */
    lock = whole_file_write_lock();
    if (fcntl(fd, F_GETLK, &lock) == -1)
        pl_die("fcntl(%s, F_GETLK)", path);
    rc = finish_child(pid, fds[0], &child, sizeof(child));
    /* Closing any descriptor of the file releases this process's locks. */
    pl_close(fd);
    if (rc != 0)
        return -1;

    r->child_pid = child.child_pid;
    r->child_errno = child.child_errno;
    r->holder_type = child.holder_type;
    r->holder_pid = child.holder_pid;
    r->parent_type = lock.l_type;
    return 0;
}
