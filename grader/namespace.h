/*
 * namespace.h - start the test program in a PID namespace of its own.
 */
#ifndef NAMESPACE_H
#define NAMESPACE_H

#include <sys/types.h>

/* The namespaces the test program can get on this machine. */
enum ns_kind {
    NS_NONE, /* none: a plain fork(), swept by subreapers */
    NS_ROOT, /* PID and mount namespaces, made as root */
    NS_USER, /* user, PID, mount and IPC namespaces, made without root */
};

/*
 * Return the namespaces this process can give a child, found once by
 * trying and then remembered. When the result is NS_NONE, *why is set to
 * the failed call and its error, for a note.
 */
enum ns_kind ns_available(const char **why);

/*
 * Fork. Unless ns_available() is NS_NONE, the child is the first process
 * of new namespaces, with /proc and /dev/shm mounted for them. It is
 * killed when the grader dies. Without namespaces this is pl_fork().
 * Returns as fork() does.
 */
pid_t ns_fork(void);

#endif
