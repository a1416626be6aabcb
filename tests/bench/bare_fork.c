/*
 * bare_fork.c - 200 fork() and waitpid() pairs, the floor under any
 * test that runs in a process of its own.
 */
#include "proclab.h"

#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
    for (int i = 0; i < 200; i++) {
        pid_t pid = pl_fork();

        if (pid == 0)
            _exit(0);
        pl_waitpid(pid, NULL, 0);
    }
    return 0;
}
