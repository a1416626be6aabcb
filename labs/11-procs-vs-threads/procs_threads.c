/*
 * procs_threads.c - Lab 11: processes against threads, side by side.
 *
 * This is the file you write. Each function below is a stub that returns
 * -1 with errno ENOSYS. Replace its body as the handout (README.md in
 * this folder) describes, one step at a time. The contract of each
 * function is in procs_threads.h.
 *
 *   make run LAB=11     runs the demo in main.c against your functions
 *   make grade LAB=11   runs the graded tests
 *
 * Write pt_run_other() first: every row function starts its other through
 * it. For each row, write a static function for the other (a pt_other_fn)
 * and the row function that calls pt_run_other() with it. The other must
 * never call exit() or pl_die(): in a thread that ends the whole process.
 * It returns the errno value of a call that failed instead.
 *
 * On the caller's side, the checked wrappers from proclab.h (pl_fork,
 * pl_pipe, pl_close, pl_waitpid, pl_write_all, pl_read_full) save you
 * from checking every call by hand. End every child with _exit(), except
 * the one that Step 5 asks to call exit().
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "procs_threads.h"
#include "proclab.h"

int pt_counter = 1;

/* --- Step 1 ------------------------------------------------------------ */

int pt_get_ids(struct pt_ids *ids)
{
    /* TODO(student): store getpid(), getppid(), gettid() (Step 1) */
    (void)ids;
    errno = ENOSYS;
    return -1;
}

int pt_run_other(enum pt_mode mode, pt_other_fn fn, void *arg, void *report,
                 size_t len)
{
    /* TODO(student): run fn in a child or a thread, bring report back
     * (Step 1) */
    (void)mode;
    (void)fn;
    (void)arg;
    (void)report;
    (void)len;
    errno = ENOSYS;
    return -1;
}

int pt_compare_ids(enum pt_mode mode, struct pt_ids_report *r)
{
    /* TODO(student): record both sides' ids, count the other's threads
     * (Step 1) */
    (void)mode;
    (void)r;
    errno = ENOSYS;
    return -1;
}

/* --- Step 2 ------------------------------------------------------------ */

int pt_add_in_other(enum pt_mode mode, int delta, struct pt_memory_report *r)
{
    /* TODO(student): add delta to pt_counter in the other (Step 2) */
    (void)mode;
    (void)delta;
    (void)r;
    errno = ENOSYS;
    return -1;
}

int pt_local_in_other(enum pt_mode mode, struct pt_stack_report *r)
{
    /* TODO(student): record where each side's local variable lives
     * (Step 2) */
    (void)mode;
    (void)r;
    errno = ENOSYS;
    return -1;
}

/* --- Step 3 ------------------------------------------------------------ */

int pt_open_in_other(enum pt_mode mode, const char *path,
                     struct pt_fd_report *r)
{
    /* TODO(student): open path in the other, look for it in the caller
     * (Step 3) */
    (void)mode;
    (void)path;
    (void)r;
    errno = ENOSYS;
    return -1;
}

int pt_read_in_other(enum pt_mode mode, int fd, size_t count,
                     struct pt_offset_report *r)
{
    /* TODO(student): read in the other, compare both offsets (Step 3) */
    (void)mode;
    (void)fd;
    (void)count;
    (void)r;
    errno = ENOSYS;
    return -1;
}

int pt_chdir_in_other(enum pt_mode mode, const char *dir,
                      struct pt_cwd_report *r)
{
    /* TODO(student): chdir in the other, compare both cwds (Step 3) */
    (void)mode;
    (void)dir;
    (void)r;
    errno = ENOSYS;
    return -1;
}

/* --- Step 4 ------------------------------------------------------------ */

int pt_sigaction_in_other(enum pt_mode mode, struct pt_handler_report *r)
{
    /* TODO(student): install a SIGUSR1 handler in the other (Step 4) */
    (void)mode;
    (void)r;
    errno = ENOSYS;
    return -1;
}

int pt_block_in_other(enum pt_mode mode, struct pt_mask_report *r)
{
    /* TODO(student): block SIGUSR2 in the other, compare masks (Step 4) */
    (void)mode;
    (void)r;
    errno = ENOSYS;
    return -1;
}

/* --- Step 5 ------------------------------------------------------------ */

int pt_exit_in_other(enum pt_mode mode, int code, int *status)
{
    /* TODO(student): call exit(code) in the other (Step 5) */
    (void)mode;
    (void)code;
    (void)status;
    errno = ENOSYS;
    return -1;
}
