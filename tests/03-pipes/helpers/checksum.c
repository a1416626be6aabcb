/*
 * checksum.c - Lab 03 test helper: the filter of a pipeline.
 *
 *   checksum [EXIT_CODE]
 *
 * Reads standard input until end of file, then prints one line
 *
 *   bytes 8388608 checksum 0123456789abcdef
 *
 * with the number of bytes read and their pp_checksum_add() checksum (see
 * pipes.h), and exits with EXIT_CODE, 0 by default. It never sees end of
 * file while any process still holds the write end of its input pipe.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "pipes.h"
#include "proclab.h"

#define CHUNK 65536

int main(int argc, char **argv)
{
    static char buf[CHUNK];
    struct pp_summary s = {0, PP_CHECKSUM_INIT};
    int code = argc > 1 ? atoi(argv[1]) : 0;

    for (;;) {
        ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));

        if (n == -1 && errno == EINTR)
            continue;
        if (n == -1)
            pl_die("read(stdin)");
        if (n == 0)
            break;
        s.bytes += (uint64_t)n;
        s.checksum = pp_checksum_add(s.checksum, buf, (size_t)n);
    }
    printf("bytes %llu checksum %016llx\n", (unsigned long long)s.bytes,
           (unsigned long long)s.checksum);
    if (fflush(stdout) != 0)
        pl_die("fflush(stdout)");
    return code;
}
