/*
 * pl_sync.c - a parent/child handshake over two pipes.
 */
#include "pl_sync.h"

#include "pl_sys.h"

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

void pl_sync_send(struct pl_sync *s)
{
    pl_write_all(s->write_fd, "x", 1);
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
