/* Expect: still running after the test and was killed */
/* A child that leaves the test's session, ignores SIGTERM and stays. */
int fm_change_in_child(int *heap, int delta, struct fm_values *parent_seen,
                       struct fm_values *child_seen)
{
    int ready[2];
    char byte;
    pid_t pid;

    (void)heap, (void)delta, (void)parent_seen, (void)child_seen;
    pipe(ready);
    pid = fork();
    if (pid == 0) {
        if (fork() == 0) {
            setsid();
            signal(SIGTERM, SIG_IGN);
            write(ready[1], "x", 1);
            for (;;)
                pause();
        }
        _exit(0);
    }
    read(ready[0], &byte, 1);
    close(ready[0]);
    close(ready[1]);
    waitpid(pid, NULL, 0);
    return -1;
}
