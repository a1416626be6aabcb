/*
 * pl_error.c - error reporting for labs, solutions and tests.
 */
#include "pl_error.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int in_forked_child;

void pl_mark_child(void)
{
    in_forked_child = 1;
}

const char *pl_errno_name(int err)
{
    const char *name = strerrorname_np(err);

    return name ? name : "E?";
}

const char *pl_signal_name(int sig)
{
    /* One slot per signal, filled once: two calls in one printf() then
     * print two names, and calls from several threads do not clash. */
    static char names[NSIG][24];
    const char *abbrev;

    if (sig <= 0 || sig >= NSIG)
        return "SIG?";
    if (names[sig][0])
        return names[sig];
    abbrev = sigabbrev_np(sig);
    if (abbrev)
        snprintf(names[sig], sizeof(names[sig]), "SIG%s", abbrev);
    else if (sig >= SIGRTMIN && sig <= SIGRTMAX)
        snprintf(names[sig], sizeof(names[sig]), "SIGRTMIN+%d",
                 sig - SIGRTMIN);
    else
        return "SIG?";
    return names[sig];
}

static void print_message(int err, const char *fmt, va_list ap)
{
    char msg[512];

    vsnprintf(msg, sizeof(msg), fmt, ap);
    fflush(stdout);
    if (err)
        fprintf(stderr, "proclab: %s failed: %s (%s)\n", msg,
                pl_errno_name(err), strerror(err));
    else
        fprintf(stderr, "proclab: %s\n", msg);
}

/*
 * A forked child must not run exit(): that would flush stdio buffers it
 * copied from the parent, printing the parent's pending output twice.
 */
static void __attribute__((noreturn)) end_process(void)
{
    if (in_forked_child)
        _exit(PL_EXIT_FAILURE);
    exit(PL_EXIT_FAILURE);
}

void pl_die(const char *fmt, ...)
{
    int err = errno;
    va_list ap;

    va_start(ap, fmt);
    print_message(err, fmt, ap);
    va_end(ap);
    end_process();
}

void pl_warn(const char *fmt, ...)
{
    int err = errno;
    va_list ap;

    va_start(ap, fmt);
    print_message(err, fmt, ap);
    va_end(ap);
    errno = err;
}

void pl_fatal(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    print_message(0, fmt, ap);
    va_end(ap);
    end_process();
}
