/* Expect: did not finish in */
/*
 * A child leaves the session and, in a loop, starts a spinning thread and
 * forks, and every new process does the same. The caller forks until the
 * process limit stops it, then spins. Ending such processes one at a time
 * never catches up with them, because each death frees a slot to refill.
 */
#include <pthread.h>

static void *spin(void *arg)
{
    (void)arg;
    for (;;) {
    }
    return NULL;
}

int fm_change_in_child(int *heap, int delta, struct fm_values *parent_seen,
                       struct fm_values *child_seen)
{
    (void)heap, (void)delta, (void)parent_seen, (void)child_seen;
    if (fork() == 0) {
        setsid();
        for (int i = 0; i < 100000; i++) {
            pthread_t thread;

            pthread_create(&thread, NULL, spin, NULL);
            fork();
        }
        for (;;)
            pause();
    }
    while (fork() >= 0) {
    }
    for (;;) {
    }
}
