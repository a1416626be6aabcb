/*
 * show_process.c - Lab 02 test helper: print who this process is and
 * which descriptors it has open right after exec.
 *
 *   pid 4312
 *   ppid 4310
 *   fd 0
 *   fd 1
 *   ...
 *
 * The descriptors come from /proc/self/fd, in increasing order. A test
 * compares the PIDs with the child it forked and looks for the
 * descriptors it opened before exec.
 */
#include <stdio.h>
#include <unistd.h>

#include "proclab.h"

#define MAX_FDS 1024

int main(void)
{
    static int fds[MAX_FDS];
    int count = pl_proc_list_fds(0, fds, MAX_FDS);

    if (count == -1)
        pl_die("pl_proc_list_fds(/proc/self/fd)");
    printf("pid %d\n", (int)getpid());
    printf("ppid %d\n", (int)getppid());
    for (int i = 0; i < count && i < MAX_FDS; i++)
        printf("fd %d\n", fds[i]);
    return fflush(stdout) == 0 ? 0 : 1;
}
