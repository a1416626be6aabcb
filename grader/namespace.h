/*
 * namespace.h - start the test program in a PID namespace of its own.
 */
#ifndef NAMESPACE_H
#define NAMESPACE_H

#include <sys/types.h>

/*
 * Return 1 when this process may give a child PID and mount namespaces
 * of its own (it is root and nothing forbids it), 0 otherwise. The
 * answer is found once, by trying, and then remembered.
 */
int ns_available(void);

/*
 * Fork. When ns_available(), the child is the first process of new PID
 * and mount namespaces, with /proc mounted for them, and is killed when
 * the grader dies; otherwise this is pl_fork(). Returns as fork() does.
 */
pid_t ns_fork(void);

#endif
