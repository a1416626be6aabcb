/*
 * pl_sys.c - checked system-call wrappers.
 */
#include "pl_sys.h"

#include "pl_error.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

pid_t pl_fork(void)
{
    pid_t pid = fork();

    if (pid == -1)
        pl_die("fork()");
    if (pid == 0)
        pl_mark_child();
    return pid;
}

void pl_pipe(int fds[2])
{
    if (pipe2(fds, O_CLOEXEC) == -1)
        pl_die("pipe2(O_CLOEXEC)");
}

/*
 * On Linux the descriptor is released even when close() fails with
 * EINTR, so retrying could close a descriptor another thread just opened.
 */
void pl_close(int fd)
{
    if (close(fd) == -1 && errno != EINTR)
        pl_die("close(fd=%d)", fd);
}

pid_t pl_waitpid(pid_t pid, int *status, int options)
{
    pid_t got;

    do
        got = waitpid(pid, status, options);
    while (got == -1 && errno == EINTR);
    if (got == -1)
        pl_die("waitpid(pid=%d)", (int)pid);
    return got;
}

void *pl_malloc(size_t size)
{
    void *p = malloc(size);

    if (!p && size)
        pl_die("malloc(%zu)", size);
    return p;
}

void pl_write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;

    while (len > 0) {
        ssize_t n = write(fd, p, len);

        if (n == -1 && errno == EINTR)
            continue;
        if (n == -1)
            pl_die("write(fd=%d, %zu bytes)", fd, len);
        p += n;
        len -= (size_t)n;
    }
}

int pl_write_text(const char *path, const char *text)
{
    size_t len = strlen(text);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    ssize_t n;
    int saved;

    if (fd == -1)
        return -1;
    n = write(fd, text, len);
    saved = errno;
    close(fd);
    if (n == (ssize_t)len)
        return 0;
    errno = n == -1 ? saved : EIO;
    return -1;
}

size_t pl_read_full(int fd, void *buf, size_t len)
{
    char *p = buf;
    size_t done = 0;

    while (done < len) {
        ssize_t n = read(fd, p + done, len - done);

        if (n == -1 && errno == EINTR)
            continue;
        if (n == -1)
            pl_die("read(fd=%d, %zu bytes)", fd, len - done);
        if (n == 0)
            break;
        done += (size_t)n;
    }
    return done;
}

long long pl_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
