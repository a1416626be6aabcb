/* Expect: is it still the starter stub */
/* Closes stdout and stderr, then fails like the starter. */
int fm_change_in_child(int *heap, int delta, struct fm_values *parent_seen,
                       struct fm_values *child_seen)
{
    (void)heap, (void)delta, (void)parent_seen, (void)child_seen;
    close(1);
    close(2);
    errno = ENOSYS;
    return -1;
}
