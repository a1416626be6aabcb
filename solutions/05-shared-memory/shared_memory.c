/*
 * shared_memory.c - Lab 05: shared memory (reference solution).
 *
 * Step 1 maps a page before fork, once shared and once private. Step 2
 * creates, reads and removes a named object in /dev/shm. Steps 3 and 4
 * put a counter and a process-shared mutex in a shared mapping and let
 * children add to it. The handout is labs/05-shared-memory/README.md.
 *
 * Every fork, pipe, close and wait goes through the pl_ wrappers from
 * common/, which end the process with a message when a call fails. In a
 * child made by pl_fork() that end is _exit(), as on every other path
 * here. The calls that have no wrapper (mmap, shm_open, ftruncate, the
 * pthread calls) are checked here, and their errors returned.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proclab.h"
#include "shared_memory.h"

/*
 * Reap pid. Returns 0 when it exited with code 0, or -1 with errno EIO
 * when it ended any other way.
 */
static int reap_child(pid_t pid)
{
    int status;

    pl_waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        errno = EIO;
        return -1;
    }
    return 0;
}

/* Unmap len bytes at addr, keeping the errno of an earlier failure. */
static void unmap_quietly(void *addr, size_t len)
{
    int saved = errno;

    munmap(addr, len);
    errno = saved;
}

/* Close fd, keeping the errno of an earlier failure. */
static void close_quietly(int fd)
{
    int saved = errno;

    close(fd);
    errno = saved;
}

/*
 * Close fd and remove the name of the object that sm_named_create() made
 * but could not finish, keeping the errno of the failure.
 */
static void abandon_object(int fd, const char *name)
{
    int saved = errno;

    close(fd);
    shm_unlink(name);
    errno = saved;
}

int sm_child_writes(int flags, int value, int *parent_seen)
{
    size_t len = (size_t)sysconf(_SC_PAGESIZE);
    int *page;
    pid_t pid;
    int rc;

    if ((flags != MAP_SHARED && flags != MAP_PRIVATE) || parent_seen == NULL) {
        errno = EINVAL;
        return -1;
    }
    page = mmap(NULL, len, PROT_READ | PROT_WRITE, flags | MAP_ANONYMOUS, -1,
                0);
    if (page == MAP_FAILED)
        return -1;
    *page = 0;

    pid = pl_fork();
    if (pid == 0) {
        /* Child: with MAP_SHARED this store lands in the page the parent
         * maps too; with MAP_PRIVATE it lands in the child's own copy. */
        *page = value;
        _exit(0);
    }

    /* Parent: read only after the child has ended, so that its store has
     * happened whichever process the scheduler ran first. */
    rc = reap_child(pid);
    if (rc == 0)
        *parent_seen = *page;
    if (munmap(page, len) != 0)
        return -1;
    return rc;
}

int sm_named_create(const char *name, const char *text)
{
    size_t text_len;
    char *object;
    int fd;

    if (name == NULL || text == NULL) {
        errno = EINVAL;
        return -1;
    }
    /* The NUL must fit too. Checked first, so that nothing is created. */
    text_len = strlen(text);
    if (text_len >= SM_OBJECT_SIZE) {
        errno = EINVAL;
        return -1;
    }

    /* O_EXCL: never take over an object that another program made. */
    fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
    if (fd == -1)
        return -1;
    /* A new object is 0 bytes long, and touching a mapped page past its
     * end raises SIGBUS, so give it its size first. */
    if (ftruncate(fd, SM_OBJECT_SIZE) != 0) {
        abandon_object(fd, name);
        return -1;
    }
    object = mmap(NULL, SM_OBJECT_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
                  fd, 0);
    if (object == MAP_FAILED) {
        abandon_object(fd, name);
        return -1;
    }
    /* The mapping keeps the object open, so the descriptor can go now. */
    pl_close(fd);

    memcpy(object, text, text_len + 1);
    return munmap(object, SM_OBJECT_SIZE);
}

int sm_named_read(const char *name, char *buf, size_t len)
{
    struct stat st;
    const char *object;
    size_t text_len;
    int fd;

    if (name == NULL || buf == NULL || len == 0) {
        errno = EINVAL;
        return -1;
    }
    fd = shm_open(name, O_RDONLY, 0);
    if (fd == -1)
        return -1;
    if (fstat(fd, &st) != 0) {
        close_quietly(fd);
        return -1;
    }
    /* mmap() rejects a length of 0, and an empty object contains no text. */
    if (st.st_size == 0) {
        pl_close(fd);
        buf[0] = '\0';
        return 0;
    }
    object = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
    if (object == MAP_FAILED) {
        close_quietly(fd);
        return -1;
    }
    pl_close(fd);

    /* Another program wrote the object, so do not trust it to hold a
     * NUL: stop at the end of the mapping, and at the end of buf. */
    text_len = strnlen(object, (size_t)st.st_size);
    if (text_len > len - 1)
        text_len = len - 1;
    memcpy(buf, object, text_len);
    buf[text_len] = '\0';
    if (munmap((void *)object, (size_t)st.st_size) != 0)
        return -1;
    return (int)text_len;
}

int sm_named_remove(const char *name)
{
    if (name == NULL) {
        errno = EINVAL;
        return -1;
    }
    return shm_unlink(name);
}

struct sm_counter *sm_counter_create(void)
{
    struct sm_counter *c;
    pthread_mutexattr_t attr;
    int err;

    c = mmap(NULL, sizeof(*c), PROT_READ | PROT_WRITE,
             MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (c == MAP_FAILED)
        return NULL;
    c->value = 0;

    /* A mutex is private to one process unless its attributes make it
     * process-shared. A private one still excludes, because the lock word is
     * in shared memory, but the kernel then wakes only waiters of the
     * unlocking process, and a waiter in another process sleeps on. */
    err = pthread_mutexattr_init(&attr);
    if (err == 0) {
        err = pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
        if (err == 0)
            err = pthread_mutex_init(&c->lock, &attr);
        pthread_mutexattr_destroy(&attr);
    }
    if (err != 0) {
        munmap(c, sizeof(*c));
        errno = err;
        return NULL;
    }
    return c;
}

int sm_counter_add(struct sm_counter *c, long n, int locked)
{
    /* Through a volatile pointer the compiler makes one load and one
     * store per addition, as a longer critical section would, instead of
     * adding n at once. The race in Step 4 needs those separate steps. */
    volatile long *value;
    int err;

    if (c == NULL || n < 0) {
        errno = EINVAL;
        return -1;
    }
    value = &c->value;
    for (long i = 0; i < n; i++) {
        if (locked) {
            err = pthread_mutex_lock(&c->lock);
            if (err != 0) {
                errno = err;
                return -1;
            }
        }
        *value = *value + 1;
        if (locked) {
            err = pthread_mutex_unlock(&c->lock);
            if (err != 0) {
                errno = err;
                return -1;
            }
        }
    }
    return 0;
}

int sm_counter_destroy(struct sm_counter *c)
{
    int err;

    if (c == NULL) {
        errno = EINVAL;
        return -1;
    }
    err = pthread_mutex_destroy(&c->lock);
    if (err != 0) {
        unmap_quietly(c, sizeof(*c));
        errno = err;
        return -1;
    }
    return munmap(c, sizeof(*c));
}

int sm_count_in_children(struct sm_counter *c, int procs, long n, int locked)
{
    pid_t *pids;
    int gate[2];
    int failed = 0;

    if (c == NULL || procs < 1 || n < 0) {
        errno = EINVAL;
        return -1;
    }

    /* The start gate: every child blocks reading it, and the parent
     * closes the write end once all are forked. Without it the first
     * child may finish before the last is even forked, and nothing
     * overlaps. */
    pids = pl_malloc((size_t)procs * sizeof(*pids));
    pl_pipe(gate);
    for (int i = 0; i < procs; i++) {
        pids[i] = pl_fork();
        if (pids[i] == 0) {
            /* Child: it closes its copy of the write end, or its read
             * would never see end of file. */
            char byte;

            pl_close(gate[1]);
            pl_read_full(gate[0], &byte, 1);
            pl_close(gate[0]);
            _exit(sm_counter_add(c, n, locked) == 0 ? 0 : 1);
        }
    }

    /* Parent: closing the last write end opens the gate for all
     * children at once. */
    pl_close(gate[0]);
    pl_close(gate[1]);
    for (int i = 0; i < procs; i++)
        if (reap_child(pids[i]) != 0)
            failed = 1;
    free(pids);
    if (failed) {
        errno = EIO;
        return -1;
    }
    return 0;
}
