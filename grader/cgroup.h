/*
 * cgroup.h - a pids cgroup for the tests, where the grader can make one.
 */
#ifndef CGROUP_H
#define CGROUP_H

/*
 * Make a pids cgroup for this grade that allows at most max_tasks tasks
 * (processes and threads). Returns 1 when it is in force, or 0 when the
 * machine does not allow one; cg_reason() then gives the reason.
 */
int cg_setup(int max_tasks);

/* Return 1 when cg_setup() made the cgroup. */
int cg_active(void);

/* Return why there is no cgroup, after cg_setup() returned 0. */
const char *cg_reason(void);

/* Move the calling process into the cgroup, if there is one; warn when
 * that fails. */
void cg_enter(void);

/* Kill every process still in the cgroup. */
void cg_kill_all(void);

/* Kill what is left and remove the cgroup. */
void cg_remove(void);

#endif
