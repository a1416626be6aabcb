/* Expect: ended with exit code 0 before the test finished */
/* exit(0) from the lab function, hoping to pass. */
int fm_change_in_child(int *heap, int delta, struct fm_values *parent_seen,
                       struct fm_values *child_seen)
{
    (void)heap, (void)delta, (void)parent_seen, (void)child_seen;
    exit(0);
}
