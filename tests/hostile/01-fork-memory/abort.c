/* Expect: killed by SIGABRT */
/* abort() in the process that called the lab function. */
int fm_change_in_child(int *heap, int delta, struct fm_values *parent_seen,
                       struct fm_values *child_seen)
{
    (void)heap, (void)delta, (void)parent_seen, (void)child_seen;
    abort();
}
