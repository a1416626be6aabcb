/*
 * contain.c - the limits a test runs under.
 *
 * The harness chooses them once (plh_choose_containment) and each test
 * process applies them to itself before any lab code runs
 * (plh_contain_test). They bound what a submission can do to the
 * machine: its number of processes, its output, its core files, and the
 * IPC objects it can see.
 */
#include "harness.h"

#include "proclab.h"

#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

struct limits plh_limits;
int plh_process_base = -1;
int plh_test_uid = -1;
char plh_run_id[32];

/*
 * Keep the right to read every file and search every folder, so that a
 * test run as root still reaches a repository under /root and the
 * programs it execs, but not the right to write files that are not its
 * own, such as the grader's results. The ambient set carries the right
 * across execve().
 */
static void keep_file_access(void)
{
    struct __user_cap_header_struct head = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    unsigned int keep = 1u << CAP_DAC_READ_SEARCH;

    memset(data, 0, sizeof(data));
    data[0].effective = data[0].permitted = data[0].inheritable = keep;
    if (syscall(SYS_capset, &head, data) == -1)
        pl_die("capset(CAP_DAC_READ_SEARCH)");
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_DAC_READ_SEARCH, 0, 0);
}

/*
 * The kernel never applies RLIMIT_NPROC to uid 0, so a test started as
 * root runs as an unprivileged user instead, keeping only file access.
 * The process stays dumpable, so that it can still read its own /proc
 * files.
 */
static void limit_processes(void)
{
    struct rlimit nproc = {plh_limits.process_limit, plh_limits.process_limit};

    if (plh_limits.drop_root) {
        if (prctl(PR_SET_KEEPCAPS, 1) == -1 || setgroups(0, NULL) == -1 ||
            setresgid(plh_limits.gid, plh_limits.gid, plh_limits.gid) == -1 ||
            setresuid(plh_limits.uid, plh_limits.uid, plh_limits.uid) == -1)
            pl_die("dropping root for the test (uid %d)", (int)plh_limits.uid);
        keep_file_access();
    }
    prctl(PR_SET_DUMPABLE, 1);
    if (setrlimit(RLIMIT_NPROC, &nproc) == -1)
        pl_die("setrlimit(RLIMIT_NPROC, %lu)",
               (unsigned long)plh_limits.process_limit);
}

/*
 * A test process inherits Check's handlers for SIGALRM, SIGINT and
 * SIGTERM (which kill the whole test) and the grader's ignored SIGPIPE.
 * Lab code must start from the defaults a shell gives a new program.
 */
static void reset_signals(void)
{
    struct sigaction dfl;
    sigset_t none;

    memset(&dfl, 0, sizeof(dfl));
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    for (int sig = 1; sig < NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP)
            sigaction(sig, &dfl, NULL);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

/*
 * The deadline stops a test that takes too long, and these bound what it
 * can take meanwhile: CPU time per process (SIGXCPU a second after the
 * deadline's worth, for processes that escape the deadline's kill) and
 * address space per process, so that a runaway allocation fails with
 * ENOMEM instead of pressing the machine.
 */
static void limit_cpu_and_memory(void)
{
    rlim_t cpu = (rlim_t)(plh_current->timeout_s * plh_scale) + 1;
    struct rlimit cpu_limit = {cpu, cpu + 1};
    struct rlimit memory = {MEMORY_LIMIT, MEMORY_LIMIT};

    setrlimit(RLIMIT_CPU, &cpu_limit);
    setrlimit(RLIMIT_AS, &memory);
}

void plh_contain_test(void)
{
    struct rlimit fsize = {OUTPUT_LIMIT, OUTPUT_LIMIT};
    struct rlimit core = {0, 0};

    reset_signals();
    limit_processes();
    limit_cpu_and_memory();
    setrlimit(RLIMIT_FSIZE, &fsize);
    setrlimit(RLIMIT_CORE, &core);
}

/*
 * Choose who runs the tests and how many processes they may create, and
 * tell the grader, which prints it.
 */
/*
 * A token for IPC names that no other run shares, even one whose harness
 * has the same PID inside a PID namespace of its own (always 1).
 */
static void choose_run_id(void)
{
    struct timespec now;

    clock_gettime(CLOCK_REALTIME, &now);
    snprintf(plh_run_id, sizeof(plh_run_id), "%x-%lx", (unsigned)getpid(),
             (unsigned long)now.tv_nsec ^ (unsigned long)now.tv_sec);
}

void plh_choose_containment(FILE *results)
{
    struct passwd *pw;

    choose_run_id();
    plh_limits.uid = getuid();
    plh_limits.gid = getgid();
    if (geteuid() == 0) {
        pw = plh_test_uid < 0 ? getpwnam("nobody") : NULL;
        plh_limits.uid = plh_test_uid >= 0 ? (uid_t)plh_test_uid
                         : pw             ? pw->pw_uid
                                          : 65534;
        plh_limits.gid = pw ? pw->pw_gid : 65534;
        plh_limits.drop_root = 1;

        /* Message queues made in a namespace of its own vanish with it,
         * whatever the tests leave, and never meet another run's. */
        plh_limits.own_ipc = unshare(CLONE_NEWIPC) == 0;
    }
    if (plh_process_base < 0)
        plh_process_base = pl_proc_count_user(plh_limits.uid);
    plh_limits.process_limit =
        (rlim_t)(plh_process_base > 0 ? plh_process_base : 0) +
        PROCESS_ALLOWANCE;
    fprintf(results,
            "containment\ttests run as uid %d%s, limited to %d processes "
            "beyond that user's own (RLIMIT_NPROC)%s%s\n",
            (int)plh_limits.uid, plh_limits.drop_root ? " instead of root" : "",
            PROCESS_ALLOWANCE,
            getpid() == 1 ? ", in a PID namespace that ends with the grade"
                          : ", swept by subreapers after each test",
            plh_limits.own_ipc ? ", with IPC objects of their own" : "");
    fflush(results);
}
