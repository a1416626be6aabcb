/*
 * harness.h - what the parts of the test harness share.
 *
 * Not for test files: they include pl_test.h. The harness is linked into
 * every test program together with student code, so its global names all
 * start with plh_ to stay out of the students' way.
 */
#ifndef HARNESS_H
#define HARNESS_H

#include "pl_test.h"

#include <stdio.h>
#include <sys/resource.h>
#include <sys/types.h>

/* Exit code of a test process that reached the end of its test. */
#define PL_EXIT_PASSED 92
/* Exit code of a stray child stopped by pl_test_check_stray(). */
#define PL_EXIT_STRAY 93

/* A test that prints more than this is killed by SIGXFSZ. */
#define OUTPUT_LIMIT (8L * 1024 * 1024)
/* Address space of each process of a test (RLIMIT_AS). */
#define MEMORY_LIMIT (2048L * 1024 * 1024)
/* Processes a test may have at once beyond those its user already has. */
#define PROCESS_ALLOWANCE 128

/* IPC names a test can ask for with pl_test_ipc_name(). */
#define MAX_IPC_NAMES 16
#define IPC_NAME_MAX 96
/* Message queue names that mq_open() with O_CREAT noted (wrap.c). */
#define MAX_QUEUE_NAMES 32

/*
 * State shared by the harness, the test process and every process the
 * test starts: one page mapped MAP_SHARED before each test's fork.
 */
struct shared_state {
    pid_t test_pid;  /* the test process */
    pid_t stray_pid; /* first child that came back into test code */
    int finished;    /* the test process reached pl_test_end() */
    pid_t exit_pid;  /* first child of the test that called exit() */
    int child_exit_allowed; /* set by pl_test_allow_child_exit() */
    int ipc_count;   /* names handed out by pl_test_ipc_name() */
    char ipc_names[MAX_IPC_NAMES][IPC_NAME_MAX];
    int queue_count; /* queues created through mq_open() */
    char queue_names[MAX_QUEUE_NAMES][IPC_NAME_MAX];
};

/* Who runs the tests and how many processes they may have. */
struct limits {
    uid_t uid;
    gid_t gid;
    int drop_root;       /* the harness is root; tests run as uid */
    int own_ipc;         /* the harness has an IPC namespace of its own */
    rlim_t process_limit;
};

/*
 * Describe in buf where process pid and its first children are waiting,
 * from /proc, for a test about to pass its deadline. Leaves buf empty
 * when /proc shows nothing useful.
 */
void plh_describe_stuck(pid_t pid, char *buf, size_t len);

/*
 * Replace each control character in text with '?', so that a name the
 * code under test chose, such as a file name with a line break, cannot
 * start a line of its own in the grader's report.
 */
void plh_make_printable(char *text);

extern const struct pl_lab pl_lab;
/* Defined only when the lab has hidden tests (PL_HIDDEN_TESTS). */
extern const struct pl_lab pl_hidden_tests __attribute__((weak));
extern struct shared_state *plh_shared;
extern const struct pl_test_case *plh_current;
extern double plh_scale;
extern int plh_results_fd;
extern int plh_saved_stdout;
extern int plh_saved_stderr;
extern char plh_test_dir[4096];
extern char plh_program_dir[4096];
extern struct limits plh_limits;
/* Processes the test user has outside the harness's view, from the
 * grader (--process-base); -1 means count them here. */
extern int plh_process_base;
/* The user a root harness runs tests as (--test-uid); -1 means nobody. */
extern int plh_test_uid;
/* A token unique to this run of the harness, for IPC names. */
extern char plh_run_id[32];

/* contain.c: in the harness, choose the limits and report them. */
void plh_choose_containment(FILE *results);

/* contain.c: in the test process, apply them. */
void plh_contain_test(void);

/* cleanup.c: after each test. */
int plh_sweep_descendants(char *names, size_t len);
void plh_make_test_dir(void);
void plh_remove_test_dir(void);
void plh_find_program_dir(void);

/*
 * Remove every IPC object the test left: the names it was given, and new
 * objects of the test's user in /dev/shm and /dev/mqueue. Describes what
 * was left in msg and returns how many objects that was.
 */
int plh_remove_ipc_objects(char *msg, size_t len);

/* Record what /dev/shm and /dev/mqueue hold before a test. */
void plh_snapshot_ipc(void);

#endif
