/*
 * pl_error.h - error messages that teach.
 *
 * Every message names the failing call, its key arguments, the errno
 * symbol and its text, for example:
 *
 *   proclab: waitpid(pid=4312) failed: ECHILD (No child processes)
 *
 * pl_die() ends the process. In a child made by pl_fork() it uses
 * _exit(), so the child never flushes stdio buffers it shares with the
 * parent and never runs the parent's atexit handlers.
 */
#ifndef PL_ERROR_H
#define PL_ERROR_H

#include <stdarg.h>

/* Exit code of a process that pl_die() ended. */
#define PL_EXIT_FAILURE 1

/*
 * Print "proclab: MESSAGE failed: ENAME (text)" to stderr, using the
 * current errno, and end the process with PL_EXIT_FAILURE.
 */
void pl_die(const char *fmt, ...)
    __attribute__((noreturn, format(printf, 1, 2)));

/* Print the same message as pl_die() but return, leaving errno as it was. */
void pl_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print "proclab: MESSAGE" to stderr and exit; for errors without errno. */
void pl_fatal(const char *fmt, ...)
    __attribute__((noreturn, format(printf, 1, 2)));

/*
 * Return the symbolic name of an errno value ("ECHILD"), or "E?" when the
 * value has no name. The string is static.
 */
const char *pl_errno_name(int err);

/*
 * Return the symbolic name of a signal ("SIGSEGV", "SIGRTMIN+2"), or
 * "SIG?" when the number has no name. Each signal has a static string of
 * its own, so several names can be used at once.
 */
const char *pl_signal_name(int sig);

/*
 * Record that this process is a child made by fork, so that pl_die() ends
 * it with _exit(). pl_fork() calls it; call it yourself after a raw fork().
 */
void pl_mark_child(void);

#endif
