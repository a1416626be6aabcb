/*
 * pl_sync.h - a race-free handshake between a parent and one child.
 *
 * Two pipes, one each way. A process that waits blocks in read() until the
 * other side sends a byte, so the order of events is fixed by the program,
 * never by how the scheduler happens to run the two processes. When the
 * other side exits without sending, its pipe end closes and the wait
 * returns -1 instead of blocking forever.
 *
 * Use it in four steps:
 *
 *   1. struct pl_sync s; pl_sync_init(&s);       before fork
 *   2. pl_sync_parent(&s) in the parent,
 *      pl_sync_child(&s) in the child;           closes the unused ends
 *   3. pl_sync_send(&s) and pl_sync_wait(&s);    as often as needed
 *   4. pl_sync_close(&s) in each process;        closes what is left
 */
#ifndef PL_SYNC_H
#define PL_SYNC_H

struct pl_sync {
    int to_child[2];  /* the parent writes, the child reads */
    int to_parent[2]; /* the child writes, the parent reads */
    int read_fd;      /* this process's read end, after step 2 */
    int write_fd;     /* this process's write end, after step 2 */
};

/* Create both pipes. */
void pl_sync_init(struct pl_sync *s);

/* In the parent after fork: keep the ends that talk to the child. */
void pl_sync_parent(struct pl_sync *s);

/* In the child after fork: keep the ends that talk to the parent. */
void pl_sync_child(struct pl_sync *s);

/*
 * Send one byte to the other side. Returns 0, or -1 when the other side
 * has closed its end (it exited), without raising SIGPIPE.
 */
int pl_sync_send(struct pl_sync *s);

/*
 * Block until the other side sends a byte. Returns 0 on that byte, or -1
 * when the other side closed its end (it exited) without sending.
 */
int pl_sync_wait(struct pl_sync *s);

/* Close this process's remaining ends. */
void pl_sync_close(struct pl_sync *s);

#endif
