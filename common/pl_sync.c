/*
 * pl_sync.c - a parent/child handshake over two pipes.
 */
#include "pl_sync.h"

#include "pl_error.h"
#include "pl_sys.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

void pl_sync_init(struct pl_sync *s)
{
    pl_pipe(s->to_child);
    pl_pipe(s->to_parent);
    s->read_fd = -1;
    s->write_fd = -1;
}

/*
 * Each process closes the ends it does not use. Otherwise a process would
 * hold a write end of its own read pipe, and pl_sync_wait() could never
 * see end of file when the other side dies.
 */
void pl_sync_parent(struct pl_sync *s)
{
    pl_close(s->to_child[0]);
    pl_close(s->to_parent[1]);
    s->read_fd = s->to_parent[0];
    s->write_fd = s->to_child[1];
}

void pl_sync_child(struct pl_sync *s)
{
    pl_close(s->to_child[1]);
    pl_close(s->to_parent[0]);
    s->read_fd = s->to_child[0];
    s->write_fd = s->to_parent[1];
}

/*
 * A write to a pipe whose reader has exited raises SIGPIPE, which would
 * kill the sender for the other side's death. SIGPIPE stays blocked for
 * the write and a pending one is taken back, so the caller gets -1.
 */
int pl_sync_send(struct pl_sync *s)
{
    sigset_t pipe_only, old;
    struct timespec none = {0, 0};
    ssize_t n;

    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_only, &old);
    do
        n = write(s->write_fd, "x", 1);
    while (n == -1 && errno == EINTR);
    if (n == -1 && errno != EPIPE)
        pl_die("write(fd=%d, handshake byte)", s->write_fd);
    if (n == -1)
        sigtimedwait(&pipe_only, NULL, &none);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return n == 1 ? 0 : -1;
}

int pl_sync_wait(struct pl_sync *s)
{
    char byte;

    return pl_read_full(s->read_fd, &byte, 1) == 1 ? 0 : -1;
}

void pl_sync_close(struct pl_sync *s)
{
    if (s->read_fd != -1)
        pl_close(s->read_fd);
    if (s->write_fd != -1)
        pl_close(s->write_fd);
    s->read_fd = -1;
    s->write_fd = -1;
}
