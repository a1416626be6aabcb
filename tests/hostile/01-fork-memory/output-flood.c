/* Expect: killed by SIGXFSZ */
/* 100 MB of output. */
int fm_change_in_child(int *heap, int delta, struct fm_values *parent_seen,
                       struct fm_values *child_seen)
{
    static char line[1000];

    (void)heap, (void)delta, (void)parent_seen, (void)child_seen;
    memset(line, 'z', sizeof(line) - 1);
    for (int i = 0; i < 100 * 1000; i++)
        puts(line);
    return -1;
}
