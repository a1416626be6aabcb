/*
 * check_fork_memory.c - graded tests for Lab 01: fork memory isolation.
 *
 * Each test calls one function from labs/01-fork-memory/fork_memory.c and
 * checks what it reports against what fork() guarantees. After fork the
 * child has its own copy of every variable at the same address, and a page
 * is copied only when one of the two processes writes it.
 *
 * The harness runs each test in a process of its own and afterwards fails
 * it if the lab function left a child unreaped or a descriptor open.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "fork_memory.h"
#include "pl_test.h"
#include "proclab.h"

/* A marker stored in output fields before a call, which no correct
 * function stores. */
#define UNSET (-999)

/* Pages in the Step 3 buffer, and how many of them the writing child
 * writes. */
#define COW_PAGES 512
#define COW_WRITTEN_PAGES 256

/*
 * Allowance for faults and private pages that the touch loop does not
 * cause. The reference solution measured none on Linux 6.18 with 4 kB
 * pages (0 faults and 0 kB when reading, 256 faults and 1024 kB when
 * writing 256 pages), so these margins only absorb kernel differences.
 */
#define COW_SLACK_FAULTS 64
#define COW_SLACK_PAGES 16

#define TIMEOUT_S 5.0

/* The likely cause of a lab function returning -1 with errno err. */
static const char *failure_hint(int err)
{
    switch (err) {
    case ENOSYS:
        return "is it still the starter stub?";
    case EIO:
        return "EIO means the parent got less than a full report, or the "
               "child did not end with _exit(0): does the child write the "
               "whole struct, and does the parent read all of it?";
    case EINVAL:
        return "the function rejected its arguments, but they are valid "
               "here";
    default:
        return "a call inside the function failed";
    }
}

/* Fail unless a lab function named name returned 0. */
#define CHECK_RETURNED_ZERO(name, rc, err)                                     \
    PL_CHECK((rc) == 0, "expected %s to return 0, got %d (errno %s, %s): %s",  \
             (name), (rc), pl_errno_name(err), strerror(err),                  \
             failure_hint(err))

/*
 * Minor page faults of the test's children that have ended and been
 * waited for. Every child that runs takes at least one (its first write
 * to a stack page it shares with the parent), so the count grows exactly
 * when a lab function really forked and reaped a child.
 */
static long reaped_child_faults(void)
{
    struct rusage usage;

    getrusage(RUSAGE_CHILDREN, &usage);
    return usage.ru_minflt;
}

/* Fail unless a child ran and was reaped since mark was taken. */
#define CHECK_CHILD_RAN(name, mark)                                            \
    PL_CHECK(reaped_child_faults() > (mark),                                   \
             "%s returned without a child that ran and was waited for: the " \
             "values must come from a real child made by fork(), not be "     \
             "computed in the parent",                                        \
             (name))

/* Allocate the int that the Step 1 and Step 4 functions take as heap. */
static int *alloc_heap_int(int value)
{
    int *heap = malloc(sizeof(*heap));

    if (heap == NULL)
        PL_FAIL("test setup: malloc(%zu) failed: %s (%s)", sizeof(*heap),
                pl_errno_name(errno), strerror(errno));
    *heap = value;
    return heap;
}

static long page_size(void)
{
    long size = sysconf(_SC_PAGESIZE);

    if (size <= 0)
        PL_FAIL("test setup: sysconf(_SC_PAGESIZE) failed: %s (%s)",
                pl_errno_name(errno), strerror(errno));
    return size;
}

/* The byte the test writes at the start of page i of the Step 3 buffer. */
static char page_mark(size_t i)
{
    return (char)('A' + i % 26);
}

/*
 * Map len bytes of private anonymous memory and write to every page, so
 * that each page is resident and private to the test before the lab
 * forks. Transparent huge pages are turned off for the mapping, so that it
 * is made of small pages whatever the system's THP setting. The tests
 * count one fault and one copy per small page, and huge pages go through
 * other kernel code. On Linux 6.18 the counts were the same with them.
 */
static char *map_written_pages(size_t len)
{
    long size = page_size();
    char *buf = mmap(NULL, len, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    if (buf == MAP_FAILED)
        PL_FAIL("test setup: mmap(%zu bytes) failed: %s (%s)", len,
                pl_errno_name(errno), strerror(errno));
    /* EINVAL means a kernel built without transparent huge pages, which
     * has nothing to turn off. */
    if (madvise(buf, len, MADV_NOHUGEPAGE) != 0 && errno != EINVAL)
        PL_FAIL("test setup: madvise(MADV_NOHUGEPAGE) failed: %s (%s)",
                pl_errno_name(errno), strerror(errno));
    memset(buf, 'x', len);
    for (size_t i = 0; i < len / (size_t)size; i++)
        buf[i * (size_t)size] = page_mark(i);
    return buf;
}

/* --- Step 1 ------------------------------------------------------------ */

PL_TEST(test_parent_keeps_values_child_changed)
{
    int *heap = alloc_heap_int(1);
    struct fm_values parent = {UNSET, UNSET, UNSET};
    struct fm_values child = {UNSET, UNSET, UNSET};
    long mark = reaped_child_faults();
    int rc = PL_CALL(fm_change_in_child(heap, 10, &parent, &child));
    int err = errno;
    int heap_after = *heap;

    free(heap);
    CHECK_RETURNED_ZERO("fm_change_in_child", rc, err);
    CHECK_CHILD_RAN("fm_change_in_child", mark);
    PL_CHECK(parent.global == 1,
             "expected parent_seen->global == 1 after the child added 10 to "
             "its copy, got %d: the parent must store its own fm_global, "
             "which the child cannot change. Does code meant for the child "
             "also run in the parent?",
             parent.global);
    PL_CHECK(parent.heap == 1,
             "expected parent_seen->heap == 1 after the child added 10 to "
             "its copy, got %d: the parent must store its own *heap, which "
             "the child cannot change. Does code meant for the child also "
             "run in the parent?",
             parent.heap);
    PL_CHECK(parent.stack == 1,
             "expected parent_seen->stack == 1 after the child added 10 to "
             "its copy, got %d: the parent must store its own local "
             "variable, which the child cannot change. Does code meant for "
             "the child also run in the parent?",
             parent.stack);
    PL_CHECK(fm_global == 1,
             "expected fm_global == 1 in the caller after fm_change_in_child "
             "returned, got %d: only the child adds delta, to its own copy",
             fm_global);
    PL_CHECK(heap_after == 1,
             "expected *heap == 1 in the caller after fm_change_in_child "
             "returned, got %d: only the child adds delta, to its own copy",
             heap_after);
}

/* The likely cause of the child reporting got instead of 1 + delta. */
static const char *child_value_hint(int got, int start, int delta)
{
    if (got == UNSET)
        return "nothing was stored: the parent must read the child's three "
               "values from the pipe into *child_seen";
    if (got == start + delta)
        return "the value did not start at 1: the function must set it to "
               "1 before fork, whatever the caller left in it";
    if (got == 1)
        return "the child did not add delta, or the parent stored its own "
               "value instead of the one the child sent";
    return "the child must add delta once to a value that starts at 1, "
           "then send it through the pipe";
}

PL_TEST(test_child_values_reach_parent)
{
    static const int deltas[] = {10, -4};
    /* Not 1, so a function that skips setting the values to 1 shows. */
    const int start = 5;

    for (size_t i = 0; i < sizeof(deltas) / sizeof(deltas[0]); i++) {
        int delta = deltas[i];
        int *heap = alloc_heap_int(start);
        struct fm_values parent = {UNSET, UNSET, UNSET};
        struct fm_values child = {UNSET, UNSET, UNSET};
        int rc, err;

        fm_global = start;
        long mark = reaped_child_faults();
        rc = PL_CALL(fm_change_in_child(heap, delta, &parent, &child));
        err = errno;
        free(heap);
        PL_CHECK(rc == 0,
                 "with delta %d, expected fm_change_in_child to return 0, "
                 "got %d (errno %s, %s): %s",
                 delta, rc, pl_errno_name(err), strerror(err),
                 failure_hint(err));
        CHECK_CHILD_RAN("fm_change_in_child", mark);
        PL_CHECK(child.global == 1 + delta,
                 "with delta %d, expected child_seen->global == %d, got %d: "
                 "%s",
                 delta, 1 + delta, child.global,
                 child_value_hint(child.global, start, delta));
        PL_CHECK(child.heap == 1 + delta,
                 "with delta %d, expected child_seen->heap == %d, got %d: %s",
                 delta, 1 + delta, child.heap,
                 child_value_hint(child.heap, start, delta));
        PL_CHECK(child.stack == 1 + delta,
                 "with delta %d, expected child_seen->stack == %d, got %d: "
                 "%s",
                 delta, 1 + delta, child.stack,
                 child_value_hint(child.stack, start, delta));
    }
}

/* The likely cause of fm_square_in_child(n) returning got. */
static const char *square_hint(int n, int got, int err)
{
    if (got == -1 && err == ENOSYS)
        return "is it still the starter stub?";
    if (got == (n * n) << 8)
        return "that is the raw status from waitpid(): decode it with "
               "WIFEXITED() and WEXITSTATUS()";
    if (got == -1)
        return "the function reported an error: did the child end with "
               "_exit(n * n), and did the parent wait for that child?";
    return "the child must end with _exit(n * n), and the parent must "
           "return WEXITSTATUS() of the status waitpid() stored";
}

PL_TEST(test_exit_status_carries_square)
{
    for (int n = 0; n <= 15; n++) {
        long mark = reaped_child_faults();
        int got = PL_CALL(fm_square_in_child(n));
        int err = errno;

        PL_CHECK(got == n * n,
                 "expected fm_square_in_child(%d) to return %d, got %d: %s", n,
                 n * n, got, square_hint(n, got, err));
        CHECK_CHILD_RAN("fm_square_in_child", mark);
    }
}

PL_TEST(test_square_rejects_out_of_range)
{
    static const int invalid[] = {16, -1, 100};

    for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
        int n = invalid[i];
        int got, err;

        errno = 0;
        got = PL_CALL(fm_square_in_child(n));
        err = errno;
        PL_CHECK(got == -1,
                 "expected fm_square_in_child(%d) to return -1, got %d: an "
                 "exit status keeps only the low 8 bits, so the function "
                 "must reject n outside 0..15 before it forks",
                 n, got);
        PL_CHECK(err == EINVAL,
                 "expected fm_square_in_child(%d) to set errno to EINVAL, "
                 "got %s (%s): %s",
                 n, pl_errno_name(err), strerror(err),
                 err == ENOSYS ? "is it still the starter stub?"
                               : "set errno = EINVAL before returning -1");
    }
}

/* --- Step 2 ------------------------------------------------------------ */

PL_TEST(test_same_address_different_values)
{
    struct fm_address_report r = {NULL, UNSET, NULL, UNSET};
    long mark = reaped_child_faults();
    int rc = PL_CALL(fm_same_address(&r));
    int err = errno;

    CHECK_RETURNED_ZERO("fm_same_address", rc, err);
    CHECK_CHILD_RAN("fm_same_address", mark);
    PL_CHECK(r.parent_addr != NULL,
             "expected r->parent_addr to be the address of the heap int, "
             "got NULL: the parent must store the pointer it allocated");
    PL_CHECK(r.child_addr == r.parent_addr,
             "expected the child to report the parent's address %p, got %p: "
             "the child's copy of the int is at the same virtual address, so "
             "the child must send the pointer it inherited, not a new one",
             r.parent_addr, r.child_addr);
    PL_CHECK(r.parent_value == 1,
             "expected r->parent_value == 1, got %d: the child's write of 2 "
             "changes only its own copy, so the parent must read its own int "
             "after the child ended",
             r.parent_value);
    PL_CHECK(r.child_value == 2,
             "expected r->child_value == 2, got %d: the child must write 2 "
             "to the int and send the value it then reads there",
             r.child_value);
}

/* --- Step 3 ------------------------------------------------------------ */

PL_TEST(test_reading_child_copies_no_pages)
{
    long size = page_size();
    size_t len = (size_t)COW_PAGES * (size_t)size;
    long whole_kb = (long)COW_PAGES * (size / 1024);
    long slack_kb = COW_SLACK_PAGES * (size / 1024);
    char *buf = map_written_pages(len);
    struct fm_cow_report r = {UNSET, UNSET};
    long mark = reaped_child_faults();
    int rc = PL_CALL(fm_touch_in_child(buf, len, COW_PAGES, 0, &r));
    int err = errno;

    if (munmap(buf, len) != 0)
        PL_FAIL("test cleanup: munmap() failed: %s (%s)", pl_errno_name(errno),
                strerror(errno));
    CHECK_RETURNED_ZERO("fm_touch_in_child", rc, err);
    CHECK_CHILD_RAN("fm_touch_in_child", mark);
    PL_CHECK(r.minor_faults >= 0,
             "expected a fault count of 0 or more, got %ld: the parent must "
             "read the child's report from the pipe into *r",
             r.minor_faults);
    PL_CHECK(r.minor_faults < COW_SLACK_FAULTS,
             "expected fewer than %d minor faults in a child that only "
             "reads %d pages the parent had written, got %ld: after fork "
             "both processes map the same physical pages, and reading a "
             "shared page needs no copy. Does the child write instead of "
             "read, or measure more than the loop over the pages?",
             COW_SLACK_FAULTS, COW_PAGES, r.minor_faults);
    PL_CHECK(r.private_dirty_kb >= 0,
             "expected a Private_Dirty size of 0 kB or more, got %ld: the "
             "child must read it with pl_proc_private_dirty_kb(buf) and send "
             "it in the report",
             r.private_dirty_kb);
    PL_CHECK(r.private_dirty_kb < slack_kb,
             "expected Private_Dirty below %ld kB in a child that only "
             "reads, got %ld kB: pages the child only reads stay shared with "
             "the parent and count as Shared_Dirty. About %ld kB, the whole "
             "buffer, means it was read in the parent or before fork",
             slack_kb, r.private_dirty_kb, whole_kb);
}

PL_TEST(test_writing_child_copies_written_pages)
{
    long size = page_size();
    long page_kb = size / 1024;
    size_t len = (size_t)COW_PAGES * (size_t)size;
    long min_kb = COW_WRITTEN_PAGES * page_kb;
    long max_kb = min_kb + COW_SLACK_PAGES * page_kb;
    char *buf = map_written_pages(len);
    struct fm_cow_report r = {UNSET, UNSET};
    long mark = reaped_child_faults();
    int rc = PL_CALL(fm_touch_in_child(buf, len, COW_WRITTEN_PAGES, 1, &r));
    int err = errno;
    size_t changed = COW_PAGES;

    /* The child wrote to its own copies, so the parent's pages must not
     * change. */
    for (size_t i = 0; i < COW_PAGES; i++) {
        if (buf[i * (size_t)size] != page_mark(i)) {
            changed = i;
            break;
        }
    }
    if (munmap(buf, len) != 0)
        PL_FAIL("test cleanup: munmap() failed: %s (%s)", pl_errno_name(errno),
                strerror(errno));
    CHECK_RETURNED_ZERO("fm_touch_in_child", rc, err);
    CHECK_CHILD_RAN("fm_touch_in_child", mark);
    PL_CHECK(changed == COW_PAGES,
             "expected the caller's buffer to be unchanged after the child "
             "wrote to its copy, but page %zu changed: the writes must run "
             "in the child only, never in the parent",
             changed);
    PL_CHECK(r.minor_faults >= COW_WRITTEN_PAGES,
             "expected at least %d minor faults in a child that writes one "
             "byte in each of %d pages it shares with the parent, got %ld: "
             "the first write to a shared page faults, and the kernel gives "
             "the child its own copy of that page (copy-on-write). Fewer "
             "faults mean fewer pages written: does the child step through "
             "buf by the page size, and call getrusage(RUSAGE_SELF) in the "
             "child just before and after the loop?",
             COW_WRITTEN_PAGES, COW_WRITTEN_PAGES, r.minor_faults);
    PL_CHECK(r.private_dirty_kb >= min_kb,
             "expected Private_Dirty of at least %ld kB (%d pages of %ld kB) "
             "in a child that wrote %d pages, got %ld kB: each page the "
             "child writes becomes a private copy that only it maps. Does "
             "the child read Private_Dirty after the loop, in the child?",
             min_kb, COW_WRITTEN_PAGES, page_kb, COW_WRITTEN_PAGES,
             r.private_dirty_kb);
    PL_CHECK(r.private_dirty_kb <= max_kb,
             "expected Private_Dirty of at most %ld kB in a child that wrote "
             "%d of %d pages, got %ld kB: only the pages it writes are "
             "copied, and the others stay shared with the parent. Does the "
             "child write more pages than asked, or was Private_Dirty read "
             "in the parent?",
             max_kb, COW_WRITTEN_PAGES, COW_PAGES, r.private_dirty_kb);
}

/* --- Step 4 ------------------------------------------------------------ */

PL_TEST(test_child_misses_parent_changes)
{
    int *heap = alloc_heap_int(1);
    struct fm_values child = {UNSET, UNSET, UNSET};
    long mark = reaped_child_faults();
    int rc = PL_CALL(fm_change_after_fork(heap, &child));
    int err = errno;

    free(heap);
    CHECK_RETURNED_ZERO("fm_change_after_fork", rc, err);
    CHECK_CHILD_RAN("fm_change_after_fork", mark);
    PL_CHECK(child.global == 1,
             "expected the child to see fm_global == 1, got %d: the parent "
             "sets it to 2 after fork, which changes only the parent's "
             "copy. 2 means the change happened before fork, or the parent "
             "stored its own value instead of the child's",
             child.global);
    PL_CHECK(child.heap == 1,
             "expected the child to see *heap == 1, got %d: the parent sets "
             "it to 2 after fork, which changes only the parent's copy. 2 "
             "means the change happened before fork, or the parent stored "
             "its own value instead of the child's",
             child.heap);
    PL_CHECK(child.stack == 0,
             "expected child_seen->stack == 0, got %d: this function has no "
             "stack value to report, so it stores 0 there",
             child.stack);
}

PL_TEST(test_parent_keeps_changes_after_fork)
{
    int *heap = alloc_heap_int(1);
    struct fm_values child = {UNSET, UNSET, UNSET};
    int rc;
    int err;
    int heap_after;
    long mark;

    fm_global = 1;
    mark = reaped_child_faults();
    rc = PL_CALL(fm_change_after_fork(heap, &child));
    err = errno;
    heap_after = *heap;
    free(heap);
    CHECK_RETURNED_ZERO("fm_change_after_fork", rc, err);
    CHECK_CHILD_RAN("fm_change_after_fork", mark);
    PL_CHECK(fm_global == 2,
             "expected fm_global == 2 in the caller after "
             "fm_change_after_fork returned, got %d: the parent must set it "
             "to 2 after fork and before it signals the child",
             fm_global);
    PL_CHECK(heap_after == 2,
             "expected *heap == 2 in the caller after fm_change_after_fork "
             "returned, got %d: the parent must set it to 2 after fork and "
             "before it signals the child",
             heap_after);
}

static const struct pl_test_case tests[] = {
    {&test_parent_keeps_values_child_changed,
     "the parent keeps its values after the child changes them", 3, "Step 1",
     TIMEOUT_S},
    {&test_child_values_reach_parent,
     "the child's changed values reach the parent through the pipe", 2,
     "Step 1", TIMEOUT_S},
    {&test_exit_status_carries_square,
     "the exit status carries the square the child computed", 2, "Step 1",
     TIMEOUT_S},
    {&test_square_rejects_out_of_range,
     "fm_square_in_child rejects n outside 0..15 with EINVAL", 1, "Step 1",
     TIMEOUT_S},
    {&test_same_address_different_values,
     "the same address holds different values in parent and child", 3, "Step 2",
     TIMEOUT_S},
    {&test_reading_child_copies_no_pages,
     "a child that only reads copies no pages", 3, "Step 3", TIMEOUT_S},
    {&test_writing_child_copies_written_pages,
     "a child that writes copies each page it writes", 3, "Step 3", TIMEOUT_S},
    {&test_child_misses_parent_changes,
     "the child does not see the parent's changes after fork", 2, "Step 4",
     TIMEOUT_S},
    {&test_parent_keeps_changes_after_fork,
     "the parent keeps the values it set after fork", 1, "Step 4", TIMEOUT_S},
};

PL_LAB("01-fork-memory", tests)
