/*
 * show_signals.c - Lab 07 test helper: print the signal state this
 * program started with, as exec left it.
 *
 *   show_signals [SIGNUM...]
 *
 * First the SigBlk, SigIgn and SigCgt lines of /proc/self/status, copied
 * as they are (bit n - 1 is signal n). Then, for each SIGNUM
 * given, what sigaction() and sigprocmask() report:
 *
 *   SigBlk:	0000000000000002
 *   SigIgn:	0000000000000800
 *   SigCgt:	0000000000000000
 *   signal 10 (SIGUSR1) default, not blocked
 *
 * A test runs it through the lab's exec function and compares the masks
 * with the state the child set up before exec.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proclab.h"

static void print_status_masks(void)
{
    FILE *f = fopen("/proc/self/status", "re");
    char line[256];

    if (f == NULL)
        pl_die("fopen(/proc/self/status)");
    while (fgets(line, sizeof(line), f) != NULL)
        if (strncmp(line, "SigBlk:", 7) == 0 ||
            strncmp(line, "SigIgn:", 7) == 0 ||
            strncmp(line, "SigCgt:", 7) == 0)
            fputs(line, stdout);
    fclose(f);
}

static void print_signal(int sig, const sigset_t *mask)
{
    struct sigaction sa;
    const char *disposition;

    if (sigaction(sig, NULL, &sa) == -1)
        pl_die("sigaction(%d, NULL)", sig);
    if (!(sa.sa_flags & SA_SIGINFO) && sa.sa_handler == SIG_DFL)
        disposition = "default";
    else if (!(sa.sa_flags & SA_SIGINFO) && sa.sa_handler == SIG_IGN)
        disposition = "ignored";
    else
        disposition = "caught";
    printf("signal %d (%s) %s, %s\n", sig, pl_signal_name(sig), disposition,
           sigismember(mask, sig) == 1 ? "blocked" : "not blocked");
}

int main(int argc, char **argv)
{
    sigset_t mask;

    if (sigprocmask(SIG_BLOCK, NULL, &mask) == -1)
        pl_die("sigprocmask(SIG_BLOCK, NULL)");
    print_status_masks();
    for (int i = 1; i < argc; i++)
        print_signal(atoi(argv[i]), &mask);
    return fflush(stdout) == 0 ? 0 : 1;
}
