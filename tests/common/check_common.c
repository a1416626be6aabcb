/*
 * check_common.c - unit tests for the helper library in common/.
 *
 * Plain Check tests, run by "make test" with Check's own runner.
 */
#include "proclab.h"

#include <check.h>
#include <pthread.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

/* Make a real status by letting a child end the given way. */
static int status_of(int how, int value)
{
    int status;
    pid_t pid = pl_fork();

    if (pid == 0) {
        if (how == 'x')
            _exit(value);
        signal(value, SIG_DFL);
        raise(value);
        _exit(99);
    }
    pl_waitpid(pid, &status, 0);
    return status;
}

START_TEST(test_describe_exit_code)
{
    char buf[128];

    pl_describe_status(status_of('x', 3), buf, sizeof(buf));
    ck_assert_str_eq(buf, "exited with code 3");
}
END_TEST

START_TEST(test_describe_killing_signal)
{
    char buf[128];

    pl_describe_status(status_of('s', SIGTERM), buf, sizeof(buf));
    ck_assert_str_eq(buf, "was killed by SIGTERM (signal 15, Terminated)");
}
END_TEST

START_TEST(test_names_errno_and_signal)
{
    ck_assert_str_eq(pl_errno_name(ECHILD), "ECHILD");
    ck_assert_str_eq(pl_errno_name(100000), "E?");
    ck_assert_str_eq(pl_signal_name(SIGSEGV), "SIGSEGV");
    ck_assert_str_ne(pl_signal_name(SIGINT), pl_signal_name(SIGTERM));
    ck_assert_str_eq(pl_signal_name(SIGRTMIN + 1), "SIGRTMIN+1");
    ck_assert_str_eq(pl_signal_name(0), "SIG?");
}
END_TEST

static int print_and_exit(void *arg)
{
    printf("hello %s\n", (const char *)arg);
    return 7;
}

START_TEST(test_run_captures_output_and_code)
{
    struct pl_run_result r;

    pl_run(print_and_exit, "world", 5000, &r);
    ck_assert_int_eq(r.timed_out, 0);
    ck_assert(WIFEXITED(r.status));
    ck_assert_int_eq(WEXITSTATUS(r.status), 7);
    ck_assert_str_eq(r.output, "hello world\n");
    pl_run_free(&r);
}
END_TEST

static int loop_forever(void *arg)
{
    (void)arg;
    for (;;)
        pause();
    return 0;
}

START_TEST(test_run_kills_at_deadline)
{
    struct pl_run_result r;

    pl_run(loop_forever, NULL, 100, &r);
    ck_assert_int_eq(r.timed_out, 1);
    ck_assert(WIFSIGNALED(r.status));
    ck_assert_int_eq(WTERMSIG(r.status), SIGKILL);
    ck_assert_int_ge(r.elapsed_ms, 100);
    pl_run_free(&r);
}
END_TEST

static int flood(void *arg)
{
    static char line[1024];

    (void)arg;
    memset(line, 'x', sizeof(line));
    for (int i = 0; i < 1024; i++)
        fwrite(line, 1, sizeof(line), stdout);
    return 0;
}

START_TEST(test_run_caps_output)
{
    struct pl_run_result r;

    pl_run(flood, NULL, 5000, &r);
    ck_assert_int_eq(r.output_len, PL_RUN_OUTPUT_MAX);
    ck_assert_int_eq(r.output_len + r.output_dropped, 1024 * 1024);
    pl_run_free(&r);
}
END_TEST

/* A grandchild that keeps the pipe open must not stall the wait. */
static int leave_grandchild(void *arg)
{
    (void)arg;
    if (pl_fork() == 0) {
        for (;;)
            pause();
    }
    return 0;
}

START_TEST(test_run_ends_when_child_exits)
{
    struct pl_run_result r;

    pl_run(leave_grandchild, NULL, 5000, &r);
    ck_assert_int_eq(r.timed_out, 0);
    ck_assert(WIFEXITED(r.status));
    ck_assert_int_lt(r.elapsed_ms, 4000);
    pl_run_free(&r);
}
END_TEST

START_TEST(test_sync_orders_events)
{
    struct pl_sync s;
    int order[2];
    int data[2];
    pid_t pid;

    pl_pipe(data);
    pl_sync_init(&s);
    pid = pl_fork();
    if (pid == 0) {
        int mark = 2;

        pl_sync_child(&s);
        pl_close(data[0]);
        pl_sync_wait(&s);
        pl_write_all(data[1], &mark, sizeof(mark));
        _exit(0);
    }
    pl_sync_parent(&s);
    pl_close(data[1]);
    order[0] = 1;
    pl_sync_send(&s);
    ck_assert_int_eq(pl_read_full(data[0], &order[1], sizeof(int)),
                     sizeof(int));
    ck_assert_int_eq(order[1], 2);
    pl_waitpid(pid, NULL, 0);
    pl_close(data[0]);
    pl_sync_close(&s);
}
END_TEST

START_TEST(test_sync_wait_sees_death)
{
    struct pl_sync s;
    pid_t pid;

    pl_sync_init(&s);
    pid = pl_fork();
    if (pid == 0) {
        pl_sync_child(&s);
        _exit(0);
    }
    pl_sync_parent(&s);
    ck_assert_int_eq(pl_sync_wait(&s), -1);
    pl_waitpid(pid, NULL, 0);
    pl_sync_close(&s);
}
END_TEST

START_TEST(test_sync_send_sees_death)
{
    struct pl_sync s;
    pid_t pid;

    pl_sync_init(&s);
    pid = pl_fork();
    if (pid == 0) {
        pl_sync_child(&s);
        _exit(0);
    }
    pl_sync_parent(&s);
    pl_waitpid(pid, NULL, 0);
    ck_assert_int_eq(pl_sync_send(&s), -1);
    pl_sync_close(&s);
}
END_TEST

START_TEST(test_read_full_stops_at_eof)
{
    int fds[2];
    char buf[16];

    pl_pipe(fds);
    pl_write_all(fds[1], "abc", 3);
    pl_close(fds[1]);
    ck_assert_int_eq(pl_read_full(fds[0], buf, sizeof(buf)), 3);
    pl_close(fds[0]);
}
END_TEST

START_TEST(test_stat_of_self)
{
    struct pl_proc_stat st;

    ck_assert_int_eq(pl_proc_read_stat(0, &st), 0);
    ck_assert_int_eq(st.pid, getpid());
    ck_assert_int_eq(st.ppid, getppid());
    ck_assert_int_eq(st.state, 'R');
}
END_TEST

START_TEST(test_wait_state_sees_zombie)
{
    pid_t pid = pl_fork();
    struct pl_proc_stat st;

    if (pid == 0)
        _exit(0);
    ck_assert_int_eq(pl_proc_wait_state(pid, 'Z', 5000), 0);
    ck_assert_int_eq(pl_proc_read_stat(pid, &st), 0);
    ck_assert_int_eq(st.state, 'Z');
    pl_waitpid(pid, NULL, 0);
    ck_assert_int_eq(pl_proc_read_stat(pid, &st), -1);
    ck_assert_int_eq(errno, ENOENT);
}
END_TEST

START_TEST(test_children_lists_child)
{
    pid_t kids[4];
    pid_t pid = pl_fork();

    if (pid == 0)
        _exit(0);
    ck_assert_int_eq(pl_proc_children(0, kids, 4), 1);
    ck_assert_int_eq(kids[0], pid);
    pl_waitpid(pid, NULL, 0);
    ck_assert_int_eq(pl_proc_children(0, kids, 4), 0);
}
END_TEST

START_TEST(test_fds_list_new_pipe)
{
    int before[64], after[64], fds[2];
    char target[64];
    int n_before = pl_proc_list_fds(0, before, 64);

    pl_pipe(fds);
    ck_assert_int_eq(pl_proc_list_fds(0, after, 64), n_before + 2);
    ck_assert_int_eq(pl_proc_fd_target(0, fds[0], target, sizeof(target)),
                     0);
    ck_assert_msg(strncmp(target, "pipe:[", 6) == 0, "target %s", target);
    pl_close(fds[0]);
    pl_close(fds[1]);
}
END_TEST

START_TEST(test_private_dirty_counts_written_pages)
{
    long page = sysconf(_SC_PAGESIZE);
    char *buf = mmap(NULL, 64 * page, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    ck_assert_ptr_ne(buf, MAP_FAILED);
    madvise(buf, 64 * page, MADV_NOHUGEPAGE);
    ck_assert_int_eq(pl_proc_private_dirty_kb(buf), 0);
    for (int i = 0; i < 16; i++)
        buf[i * page] = 1;
    ck_assert_int_eq(pl_proc_private_dirty_kb(buf), 16 * page / 1024);
    munmap(buf, 64 * page);
    ck_assert_int_eq(pl_proc_private_dirty_kb(buf), -1);
}
END_TEST

static void *wait_forever(void *arg)
{
    (void)arg;
    for (;;)
        pause();
    return NULL;
}

START_TEST(test_stat_counts_threads)
{
    struct pl_proc_stat st;
    pthread_t thread;

    ck_assert_int_eq(pl_proc_read_stat(0, &st), 0);
    ck_assert_int_eq(st.threads, 1);
    ck_assert_int_eq(pthread_create(&thread, NULL, wait_forever, NULL), 0);
    ck_assert_int_eq(pl_proc_read_stat(0, &st), 0);
    ck_assert_int_eq(st.threads, 2);
    ck_assert_int_ge(pl_proc_count_user(getuid()), 2);
}
END_TEST

static Suite *common_suite(void)
{
    Suite *s = suite_create("common");
    TCase *status = tcase_create("status");
    TCase *run = tcase_create("run");
    TCase *sync = tcase_create("sync");
    TCase *proc = tcase_create("proc");

    tcase_add_test(status, test_describe_exit_code);
    tcase_add_test(status, test_describe_killing_signal);
    tcase_add_test(status, test_names_errno_and_signal);
    tcase_add_test(run, test_run_captures_output_and_code);
    tcase_add_test(run, test_run_kills_at_deadline);
    tcase_add_test(run, test_run_caps_output);
    tcase_add_test(run, test_run_ends_when_child_exits);
    tcase_add_test(sync, test_sync_orders_events);
    tcase_add_test(sync, test_sync_wait_sees_death);
    tcase_add_test(sync, test_sync_send_sees_death);
    tcase_add_test(sync, test_read_full_stops_at_eof);
    tcase_add_test(proc, test_stat_of_self);
    tcase_add_test(proc, test_wait_state_sees_zombie);
    tcase_add_test(proc, test_children_lists_child);
    tcase_add_test(proc, test_fds_list_new_pipe);
    tcase_add_test(proc, test_private_dirty_counts_written_pages);
    tcase_add_test(proc, test_stat_counts_threads);
    suite_add_tcase(s, status);
    suite_add_tcase(s, run);
    suite_add_tcase(s, sync);
    suite_add_tcase(s, proc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(common_suite());
    int failed;

    srunner_set_fork_status(sr, CK_FORK);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
