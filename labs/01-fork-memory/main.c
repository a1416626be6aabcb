/*
 * main.c - Lab 01 demo: runs the functions of fork_memory.c and prints
 * what each one shows about memory after fork().
 *
 *   make run LAB=01
 *
 * Each step prints one short block. A function that is still the starter
 * stub gets a "not written yet" line, and the other steps still run. The
 * exit status is 0 when every function worked and 1 otherwise. You do not
 * need to edit this file. README.md describes the expected output.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fork_memory.h"
#include "proclab.h"

/* Step 3 buffer: how many pages it has, and how many each child touches. */
#define DEMO_PAGES 512
#define DEMO_TOUCHED 256

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

static int show_change_in_child(void)
{
    int *heap = pl_malloc(sizeof(*heap));
    struct fm_values parent;
    struct fm_values child;
    int unchanged;
    int rc;

    printf("Step 1: the child adds 10 to a global, a heap and a stack "
           "variable\n");
    /* Flush before every fork, so that a child cannot inherit unwritten
     * output and print it a second time. */
    fflush(stdout);
    rc = fm_change_in_child(heap, 10, &parent, &child);
    stop_stray_child("fm_change_in_child", "Step 1");
    free(heap);
    if (rc != 0)
        return report_failure("fm_change_in_child", "Step 1");

    unchanged = parent.global == 1 && parent.heap == 1 && parent.stack == 1;
    printf("  child:  global=%d heap=%d stack=%d\n", child.global, child.heap,
           child.stack);
    printf("  parent: global=%d heap=%d stack=%d (%s)\n", parent.global,
           parent.heap, parent.stack,
           unchanged ? "unchanged"
                     : "changed, but the child's writes "
                       "should not reach the parent");
    return 0;
}

static int show_squares(void)
{
    int squares[16];

    printf("Step 1: each child ends with n * n as its exit status\n");
    fflush(stdout);
    for (int n = 0; n <= 15; n++) {
        squares[n] = fm_square_in_child(n);
        stop_stray_child("fm_square_in_child", "Step 1");
        if (squares[n] < 0)
            return report_failure("fm_square_in_child", "Step 1");
    }
    printf("  n * n for n = 0..15:");
    for (int n = 0; n <= 15; n++)
        printf(" %d", squares[n]);
    printf("\n");
    return 0;
}

static int show_same_address(void)
{
    struct fm_address_report r;
    int rc;

    printf("Step 2: the child writes 2 to a heap int that holds 1\n");
    fflush(stdout);
    rc = fm_same_address(&r);
    stop_stray_child("fm_same_address", "Step 2");
    if (rc != 0)
        return report_failure("fm_same_address", "Step 2");

    printf("  parent: address %p value %d\n", r.parent_addr, r.parent_value);
    printf("  child:  address %p value %d\n", r.child_addr, r.child_value);
    if (r.parent_addr == r.child_addr)
        printf("  same address, different values: each process has its own "
               "copy\n");
    else
        printf("  the addresses differ, but the child should report the "
               "address of the same int\n");
    return 0;
}

/* Map the Step 3 buffer and write every page, so each one is resident. */
static char *map_demo_buffer(size_t len)
{
    char *buf = mmap(NULL, len, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    if (buf == MAP_FAILED)
        pl_die("mmap(%zu bytes)", len);
    /* Keep the buffer in small pages, whose copies the demo counts, even
     * where transparent huge pages are on. EINVAL means a kernel without
     * them. */
    if (madvise(buf, len, MADV_NOHUGEPAGE) != 0 && errno != EINVAL)
        pl_die("madvise(MADV_NOHUGEPAGE)");
    memset(buf, 1, len);
    return buf;
}

static int show_copy_on_write(void)
{
    long page_size = sysconf(_SC_PAGESIZE);
    size_t len;
    char *buf;
    struct fm_cow_report reading;
    struct fm_cow_report writing;
    int rc;

    if (page_size <= 0)
        pl_die("sysconf(_SC_PAGESIZE)");
    len = (size_t)DEMO_PAGES * (size_t)page_size;
    buf = map_demo_buffer(len);
    printf("Step 3: a child touches %d of the %d pages (%ld kB each) that "
           "the parent wrote\n",
           DEMO_TOUCHED, DEMO_PAGES, page_size / 1024);

    fflush(stdout);
    rc = fm_touch_in_child(buf, len, DEMO_TOUCHED, 0, &reading);
    stop_stray_child("fm_touch_in_child", "Step 3");
    if (rc == 0) {
        fflush(stdout);
        rc = fm_touch_in_child(buf, len, DEMO_TOUCHED, 1, &writing);
        stop_stray_child("fm_touch_in_child", "Step 3");
    }
    if (munmap(buf, len) != 0)
        pl_die("munmap(%zu bytes)", len);
    if (rc != 0)
        return report_failure("fm_touch_in_child", "Step 3");

    printf("  reading child: %ld minor faults, Private_Dirty %ld kB\n",
           reading.minor_faults, reading.private_dirty_kb);
    printf("  writing child: %ld minor faults, Private_Dirty %ld kB "
           "(%ld private pages)\n",
           writing.minor_faults, writing.private_dirty_kb,
           writing.private_dirty_kb / (page_size / 1024));
    return 0;
}

static int show_change_after_fork(void)
{
    int *heap = pl_malloc(sizeof(*heap));
    struct fm_values child;
    int rc;

    printf("Step 4: the parent sets global=2 heap=2 after fork\n");
    fflush(stdout);
    rc = fm_change_after_fork(heap, &child);
    stop_stray_child("fm_change_after_fork", "Step 4");
    free(heap);
    if (rc != 0)
        return report_failure("fm_change_after_fork", "Step 4");

    printf("  child saw: global=%d heap=%d (%s)\n", child.global, child.heap,
           child.global == 1 && child.heap == 1
               ? "the parent's changes did not reach it"
               : "but the parent's changes should not reach the child");
    return 0;
}

int main(void)
{
    int failed = 0;

    main_pid = getpid();
    failed |= show_change_in_child();
    failed |= show_squares();
    failed |= show_same_address();
    failed |= show_copy_on_write();
    failed |= show_change_after_fork();
    return failed;
}
