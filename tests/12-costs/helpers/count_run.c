/*
 * count_run.c - Lab 12 test helper: record one run and exit 0.
 *
 * Appends one byte to the file "runs" in the current directory, so that a
 * test can count how many times a measuring function really ran the
 * program: the size of the file is the number of runs. O_APPEND makes
 * each write land at the end even when runs overlap.
 */
#include <fcntl.h>
#include <unistd.h>

#include "proclab.h"

int main(void)
{
    int fd = open("runs", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);

    if (fd == -1)
        pl_die("open(runs)");
    pl_write_all(fd, "x", 1);
    pl_close(fd);
    return 0;
}
