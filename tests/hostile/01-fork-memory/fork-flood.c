/* Expect: did not finish in */
/* Forks until the process limit stops it, and every child does the same. */
int fm_change_in_child(int *heap, int delta, struct fm_values *parent_seen,
                       struct fm_values *child_seen)
{
    (void)heap, (void)delta, (void)parent_seen, (void)child_seen;
    for (;;)
        fork();
}
