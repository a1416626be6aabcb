/* Expect: killed by SIGSEGV */
/* A write through a pointer to nothing. */
int fm_change_in_child(int *heap, int delta, struct fm_values *parent_seen,
                       struct fm_values *child_seen)
{
    volatile int *bad = (volatile int *)16;

    (void)heap, (void)delta, (void)parent_seen, (void)child_seen;
    *bad = 1;
    return 0;
}
