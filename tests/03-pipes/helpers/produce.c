/*
 * produce.c - Lab 03 test helper: the producer of a pipeline.
 *
 *   produce BYTES
 *
 * Writes BYTES bytes of the test pattern (pp_pattern_fill() in pipes.h)
 * to standard output and exits 0. When no process reads its output any
 * more, the next write() raises SIGPIPE, which kills it, as it would
 * kill a producer in a shell pipeline.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "pipes.h"
#include "proclab.h"

#define CHUNK 65536

int main(int argc, char **argv)
{
    static char buf[CHUNK];
    unsigned long long total;
    unsigned long long sent = 0;
    char *end;

    if (argc != 2)
        pl_fatal("usage: produce BYTES");
    total = strtoull(argv[1], &end, 10);
    if (*argv[1] == '\0' || *end != '\0')
        pl_fatal("produce: invalid byte count \"%s\"", argv[1]);

    while (sent < total) {
        size_t n = total - sent < CHUNK ? (size_t)(total - sent) : CHUNK;

        pp_pattern_fill(buf, sent, n);
        pl_write_all(STDOUT_FILENO, buf, n);
        sent += n;
    }
    return 0;
}
