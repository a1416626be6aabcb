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
 * namespace of its own with a fresh /proc and /dev/shm. Root can make
 * these directly. Another user first makes a user namespace, in which
 * its own uid maps to itself. With it come an IPC namespace and a fresh
 * /dev/mqueue, so grades of the same user never see each other's
 * objects. Some containers forbid all of this. There the grader falls
 * back to a plain fork() and its subreaper sweep, and prints a note.
 */
#include "namespace.h"

#include "proclab.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* The grader's ids, which the child maps into its user namespace. */
static uid_t outer_uid;
static gid_t outer_gid;

/* The call that failed while setting up the namespaces, for a warning. */
static char failure[160];

static int clone_flags(enum ns_kind kind)
{
    if (kind == NS_ROOT)
        return CLONE_NEWPID | CLONE_NEWNS;
    return CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC;
}

/* Like fork(), but the child is the init of new namespaces. */
static pid_t fork_into_namespace(enum ns_kind kind)
{
    outer_uid = geteuid();
    outer_gid = getegid();
    fflush(NULL);
    return (pid_t)syscall(SYS_clone, clone_flags(kind) | SIGCHLD, NULL, NULL,
                          NULL, NULL);
}

static int fail(const char *call)
{
    const char *why = strerror(errno);

    /* clone() reports these two in words that mislead here. */
    if (errno == ENOSPC)
        why = "no user namespace left (see /proc/sys/user/"
              "max_user_namespaces)";
    else if (errno == EPERM)
        why = "not permitted, as in many containers";
    snprintf(failure, sizeof(failure), "%s: %s", call, why);
    return -1;
}

/*
 * In a new user namespace: map the grader's uid and gid to themselves,
 * so that files and /proc show the same owners inside as outside. An
 * unprivileged process may map only its own ids, and only after it gave
 * up setgroups().
 */
static int map_own_ids(void)
{
    char map[64];

    /* The grader is not dumpable. The /proc/self files of such a process
     * belong to root, whom this namespace does not map. */
    prctl(PR_SET_DUMPABLE, 1);
    if (pl_write_text("/proc/self/setgroups", "deny") == -1)
        return fail("write(/proc/self/setgroups)");
    snprintf(map, sizeof(map), "%u %u 1", (unsigned)outer_uid,
             (unsigned)outer_uid);
    if (pl_write_text("/proc/self/uid_map", map) == -1)
        return fail("write(/proc/self/uid_map)");
    snprintf(map, sizeof(map), "%u %u 1", (unsigned)outer_gid,
             (unsigned)outer_gid);
    if (pl_write_text("/proc/self/gid_map", map) == -1)
        return fail("write(/proc/self/gid_map)");
    return 0;
}

/*
 * In the new namespaces: a /proc that shows the namespace's own PIDs, and
 * a /dev/shm of their own, so that the POSIX shared memory objects of
 * this grade are never confused with another's and vanish with it. With
 * an IPC namespace, /dev/mqueue too, where the system has that folder.
 */
static int mount_own_files(enum ns_kind kind)
{
    struct stat st;

    if (kind == NS_USER && map_own_ids() == -1)
        return -1;
    if (mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1)
        return fail("mount(/, MS_PRIVATE)");
    if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
              NULL) == -1)
        return fail("mount(proc, /proc)");
    if (mount("proclab-shm", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV,
              "mode=1777,size=256m") == -1)
        return fail("mount(tmpfs, /dev/shm)");
    if (kind == NS_USER && stat("/dev/mqueue", &st) == 0 &&
        mount("mqueue", "/dev/mqueue", "mqueue", MS_NOSUID | MS_NODEV, NULL) ==
            -1)
        return fail("mount(mqueue, /dev/mqueue)");
    return 0;
}

/* Return 1 when a child can be made and set up with namespaces of kind. */
static int try_namespace(enum ns_kind kind)
{
    int status, report[2];
    pid_t pid;

    if (pipe2(report, O_CLOEXEC) == -1)
        return 0;
    pid = fork_into_namespace(kind);
    if (pid == -1) {
        fail(kind == NS_ROOT ? "clone(CLONE_NEWPID | CLONE_NEWNS)"
                             : "clone(CLONE_NEWUSER | CLONE_NEWPID)");
        close(report[0]);
        close(report[1]);
        return 0;
    }
    if (pid == 0) {
        int ok = mount_own_files(kind) == 0 && getpid() == 1;

        /* The child's reason reaches the parent through the pipe. */
        if (!ok && write(report[1], failure, strlen(failure)) < 0)
            _exit(2);
        _exit(ok ? 0 : 1);
    }
    close(report[1]);
    if (read(report[0], failure, sizeof(failure) - 1) < 0)
        failure[0] = '\0';
    close(report[0]);
    return waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
           WEXITSTATUS(status) == 0;
}

enum ns_kind ns_available(const char **why)
{
    static int known = -1;
    enum ns_kind kind = geteuid() == 0 ? NS_ROOT : NS_USER;

    if (known == -1) {
        memset(failure, 0, sizeof(failure));
        known = try_namespace(kind) ? (int)kind : NS_NONE;
    }

    /* The project's own tests try the fallback on machines that have
     * namespaces, through this variable. */
    if (known != NS_NONE && getenv("PROCLAB_NO_NAMESPACE")) {
        snprintf(failure, sizeof(failure), "PROCLAB_NO_NAMESPACE is set");
        known = NS_NONE;
    }
    if (why)
        *why = failure;
    return (enum ns_kind)known;
}

pid_t ns_fork(void)
{
    enum ns_kind kind = ns_available(NULL);
    pid_t pid;

    if (kind == NS_NONE) {
        /* NOTE: without a namespace only the test program itself dies
         * with the grader; processes that its tests leave running are
         * swept by the subreapers, which a killed grader cannot do. */
        pid = pl_fork();
        if (pid == 0)
            prctl(PR_SET_PDEATHSIG, SIGKILL);
        return pid;
    }
    pid = fork_into_namespace(kind);
    if (pid == -1)
        pl_die("clone(0x%x) for the test program", clone_flags(kind));
    if (pid == 0) {
        pl_mark_child();
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (mount_own_files(kind) == -1)
            pl_die("setting up the test program's namespaces: %s", failure);
    }
    return pid;
}
