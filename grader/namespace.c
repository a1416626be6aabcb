/*
 * namespace.c - start the test program in a PID namespace of its own.
 *
 * The first process of a PID namespace is its init: when it dies, the
 * kernel kills every other process in the namespace. The grader makes the
 * test program that init, and has the kernel kill the test program when
 * the grader itself dies (PR_SET_PDEATHSIG). So no process of a
 * submission outlives the grade, even when the grader is killed with
 * SIGKILL and cannot clean up.
 *
 * A process inside the namespace sees PIDs that /proc, mounted for the
 * namespace outside, does not use, so the child also gets a mount
 * namespace of its own with a fresh /proc and /dev/shm. Both need root,
 * and some containers forbid them; then the grader falls back to a
 * plain fork() and its subreaper sweep, and says so.
 */
#include "namespace.h"

#include "proclab.h"

#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Like fork(), but the child is the init of new PID and mount namespaces. */
static pid_t fork_into_namespace(void)
{
    fflush(NULL);
    return (pid_t)syscall(SYS_clone, CLONE_NEWPID | CLONE_NEWNS | SIGCHLD,
                          NULL, NULL, NULL, NULL);
}

/*
 * In the new namespaces: a /proc that shows the namespace's own PIDs, and
 * a /dev/shm of their own, so that the POSIX shared memory objects of
 * this grade are never confused with another's and vanish with it.
 */
static int mount_own_proc(void)
{
    if (mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1)
        return -1;
    if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
              NULL) == -1)
        return -1;
    return mount("proclab-shm", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV,
                 "mode=1777,size=256m");
}

int ns_available(void)
{
    static int known = -1;
    int status;
    pid_t pid;

    if (known != -1)
        return known;
    known = 0;
    if (geteuid() != 0)
        return known;
    pid = fork_into_namespace();
    if (pid == -1)
        return known;
    if (pid == 0)
        _exit(mount_own_proc() == 0 && getpid() == 1 ? 0 : 1);
    if (waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
        WEXITSTATUS(status) == 0)
        known = 1;
    return known;
}

pid_t ns_fork(void)
{
    pid_t pid;

    if (!ns_available()) {
        /* NOTE: without a namespace only the test program itself dies
         * with the grader; processes that its tests leave running are
         * swept by the subreapers, which a killed grader cannot do. */
        pid = pl_fork();
        if (pid == 0)
            prctl(PR_SET_PDEATHSIG, SIGKILL);
        return pid;
    }
    pid = fork_into_namespace();
    if (pid == -1)
        pl_die("clone(CLONE_NEWPID | CLONE_NEWNS)");
    if (pid == 0) {
        pl_mark_child();
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (mount_own_proc() == -1)
            pl_die("mount(proc, /proc) in the test program's namespace");
    }
    return pid;
}
