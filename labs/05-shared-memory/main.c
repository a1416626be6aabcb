/*
 * main.c - Lab 05 demo: runs the functions of shared_memory.c and prints
 * what each one shows about memory that processes share.
 *
 *   make run LAB=05
 *
 * Each step prints one short block. A function that is still the starter
 * stub gets a "not written yet" line, and the other steps still run. The
 * exit status is 0 when every function worked and 1 otherwise. You do not
 * need to edit this file. README.md describes the expected output.
 *
 * For Step 2 the program runs itself a second time with execl(), as
 * "program --peer NOTE REPLY": a new program that shares no memory with
 * the first and finds the object by its name alone.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proclab.h"
#include "shared_memory.h"

/* Step 4: additions per child; enough for the children to overlap. */
#define DEMO_ADDITIONS 10000000L
#define DEMO_CHILDREN 2

static pid_t main_pid;

/* Print why the lab function fn failed, and return 1 for the exit status. */
static int report_failure(const char *fn, const char *step)
{
    int err = errno;

    if (err == ENOSYS)
        printf("  %s is not written yet (%s)\n", fn, step);
    else
        printf("  %s failed: %s (%s)\n", fn, pl_errno_name(err), strerror(err));
    return 1;
}

/*
 * End a child of fn that returned into main instead of calling _exit():
 * it would go on to run the rest of the demo a second time.
 */
static void stop_stray_child(const char *fn, const char *step)
{
    if (getpid() == main_pid)
        return;
    fprintf(stderr,
            "process %d, a child made by %s, returned into main: end every "
            "child with _exit() (%s)\n",
            (int)getpid(), fn, step);
    _exit(1);
}

static int show_child_writes(void)
{
    int shared = -1;
    int private = -1;
    int rc;

    printf("Step 1: a child stores 42 in a page mapped before fork\n");
    /* Flush before every fork, so that a child cannot inherit unwritten
     * output and print it a second time. */
    fflush(stdout);
    rc = sm_child_writes(MAP_SHARED, 42, &shared);
    stop_stray_child("sm_child_writes", "Step 1");
    if (rc != 0)
        return report_failure("sm_child_writes", "Step 1");
    rc = sm_child_writes(MAP_PRIVATE, 42, &private);
    stop_stray_child("sm_child_writes", "Step 1");
    if (rc != 0)
        return report_failure("sm_child_writes", "Step 1");

    printf("  MAP_SHARED:  the parent reads %d (%s)\n", shared,
           shared == 42 ? "the child's store reached it"
                        : "but the child's store should reach it");
    printf("  MAP_PRIVATE: the parent reads %d (%s)\n", private,
           private == 0 ? "the store stayed in the child's copy"
                        : "but the store should stay in the child's copy");
    return 0;
}

/*
 * The second program of Step 2: read the note that the first one left,
 * and leave a reply under a second name.
 */
static int run_peer(const char *note_name, const char *reply_name)
{
    char note[SM_OBJECT_SIZE];
    char reply[80];

    if (sm_named_read(note_name, note, sizeof(note)) < 0)
        return report_failure("sm_named_read", "Step 2");
    printf("  process %d, a new program, read it: \"%s\"\n", (int)getpid(),
           note);
    snprintf(reply, sizeof(reply), "hello back from process %d",
             (int)getpid());
    if (sm_named_create(reply_name, reply) != 0)
        return report_failure("sm_named_create", "Step 2");
    printf("  process %d created %s holding \"%s\"\n", (int)getpid(),
           reply_name, reply);
    return 0;
}

/* Start this program again as the Step 2 peer and wait for it. */
static int start_peer(const char *note_name, const char *reply_name)
{
    pid_t pid;
    int status;

    fflush(stdout);
    pid = pl_fork();
    if (pid == 0) {
        /* Child: exec replaces all of its memory, so afterwards the name
         * is all that it has of the note. */
        execl("/proc/self/exe", "program", "--peer", note_name, reply_name,
              (char *)NULL);
        pl_die("execl(/proc/self/exe)");
    }
    pl_waitpid(pid, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

/* Remove a name with the lab's function, and report what happened. */
static int remove_name(const char *name)
{
    if (sm_named_remove(name) == 0)
        return 0;
    if (errno == ENOENT)
        return 0;
    return report_failure("sm_named_remove", "Step 2");
}

static int show_named_objects(void)
{
    char note_name[64];
    char reply_name[64];
    char note[80];
    char reply[SM_OBJECT_SIZE];
    int failed = 0;
    int left;

    /* Names of this run alone, so that two demos never meet. */
    snprintf(note_name, sizeof(note_name), "/proclab-demo.%d.note",
             (int)main_pid);
    snprintf(reply_name, sizeof(reply_name), "/proclab-demo.%d.reply",
             (int)main_pid);
    snprintf(note, sizeof(note), "hello from process %d", (int)main_pid);

    printf("Step 2: two programs meet at a name in /dev/shm\n");
    if (sm_named_create(note_name, note) != 0) {
        failed = report_failure("sm_named_create", "Step 2");
    } else {
        printf("  process %d created %s holding \"%s\"\n", (int)main_pid,
               note_name, note);
        failed = start_peer(note_name, reply_name);
        if (!failed && sm_named_read(reply_name, reply, sizeof(reply)) < 0)
            failed = report_failure("sm_named_read", "Step 2");
        else if (!failed)
            printf("  process %d read it: \"%s\"\n", (int)main_pid, reply);
    }

    /* One report is enough when sm_named_remove fails. */
    if (remove_name(note_name) == 0)
        failed |= remove_name(reply_name);
    else
        failed = 1;
    /* Whatever the lab functions did, leave nothing in /dev/shm. */
    left = shm_unlink(note_name) == 0;
    left |= shm_unlink(reply_name) == 0;
    if (left)
        printf("  the demo removed names that were left in /dev/shm\n");
    else if (!failed)
        printf("  both names removed, and /dev/shm no longer lists them\n");
    return failed;
}

static int show_counter(void)
{
    struct sm_counter *c;
    int rc;

    printf("Step 3: one process adds 1000 without the lock, then 1000 "
           "with it\n");
    c = sm_counter_create();
    if (c == NULL)
        return report_failure("sm_counter_create", "Step 3");
    rc = sm_counter_add(c, 1000, 0);
    if (rc == 0)
        rc = sm_counter_add(c, 1000, 1);
    if (rc != 0) {
        report_failure("sm_counter_add", "Step 3");
        sm_counter_destroy(c);
        return 1;
    }
    printf("  count: %ld\n", c->value);
    if (sm_counter_destroy(c) != 0)
        return report_failure("sm_counter_destroy", "Step 3");
    return 0;
}

/* Let the children add to c, with or without the lock, and print it. */
static int count_once(struct sm_counter *c, int locked)
{
    long expected = DEMO_CHILDREN * DEMO_ADDITIONS;
    int rc;

    c->value = 0;
    fflush(stdout);
    rc = sm_count_in_children(c, DEMO_CHILDREN, DEMO_ADDITIONS, locked);
    stop_stray_child("sm_count_in_children", "Step 4");
    if (rc != 0)
        return report_failure("sm_count_in_children", "Step 4");
    printf("  %-17s %ld", locked ? "with the lock:" : "without the lock:",
           c->value);
    if (c->value == expected)
        printf(" (exact%s)\n", locked ? "" : " this time; run it again");
    else
        printf(" (%ld additions lost)\n", expected - c->value);
    return 0;
}

static int show_race(void)
{
    struct sm_counter *c;
    int failed;

    printf("Step 4: %d children each add %ld to one shared counter\n",
           DEMO_CHILDREN, DEMO_ADDITIONS);
    c = sm_counter_create();
    if (c == NULL) {
        printf("  this step needs sm_counter_create from Step 3\n");
        return 1;
    }
    failed = count_once(c, 0);
    if (!failed)
        failed = count_once(c, 1);
    sm_counter_destroy(c);
    return failed;
}

int main(int argc, char **argv)
{
    int failed = 0;

    if (argc == 4 && strcmp(argv[1], "--peer") == 0)
        return run_peer(argv[2], argv[3]);

    main_pid = getpid();
    failed |= show_child_writes();
    failed |= show_named_objects();
    failed |= show_counter();
    failed |= show_race();
    return failed;
}
