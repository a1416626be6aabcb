/*
 * take.c - Lab 03 test helper: a filter that stops reading early.
 *
 *   take BYTES
 *
 * Reads BYTES bytes from standard input, or fewer at end of file, prints
 * "took N" and exits 0 without reading the rest, as "head -c" does. Its
 * exit closes the last read end of its input pipe, if the other
 * processes closed theirs, and the producer's next write() then raises
 * SIGPIPE.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "proclab.h"

int main(int argc, char **argv)
{
    static char buf[65536];
    long want = argc == 2 ? atol(argv[1]) : -1;
    size_t got;

    if (want < 0 || (size_t)want > sizeof(buf))
        pl_fatal("usage: take BYTES, with BYTES from 0 to %zu", sizeof(buf));
    got = pl_read_full(STDIN_FILENO, buf, (size_t)want);
    printf("took %zu\n", got);
    if (fflush(stdout) != 0)
        pl_die("fflush(stdout)");
    return 0;
}
