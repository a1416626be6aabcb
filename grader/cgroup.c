/*
 * cgroup.c - a pids cgroup for the tests, where the grader can make one.
 *
 * RLIMIT_NPROC bounds the processes of one user, and the grader already
 * gives the tests a user of their own when it runs as root. A pids cgroup
 * bounds the tasks of one group of processes, under any user, and lists
 * them all. So the grader puts each lab's test program in one when the
 * machine allows it: as root, with the pids controller mounted (cgroup
 * v1) or enabled for the grader's own cgroup (cgroup v2). Elsewhere the
 * grader goes on without it and says why in the limits it prints.
 */
#include "cgroup.h"

#include "proclab.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char group[640];   /* the grade's cgroup folder, or "" */
static char reason[256];  /* why there is none */

/* Write text to the file named file in the cgroup folder dir. */
static int write_in(const char *dir, const char *file, const char *text)
{
    char path[sizeof(group) + 32];

    snprintf(path, sizeof(path), "%s/%s", dir, file);
    return pl_write_text(path, text);
}

/* Return 1 when the comma-separated list contains the word. */
static int has_word(const char *list, const char *word)
{
    size_t len = strlen(word);
    const char *p = list;

    while (p) {
        if (strncmp(p, word, len) == 0 && (p[len] == ',' || p[len] == '\0'))
            return 1;
        p = strchr(p, ',');
        if (p)
            p++;
    }
    return 0;
}

/*
 * Find where the pids controller is mounted: a cgroup v1 mount with the
 * pids option, else the cgroup2 mount. Sets *v2 for the latter. Returns
 * 0, or -1 when neither is mounted.
 */
static int find_mount(char *dir, size_t len, int *v2)
{
    FILE *f = fopen("/proc/self/mountinfo", "re");
    char line[1024], v2_dir[256] = "";
    int found = 0;

    if (!f)
        return -1;
    while (!found && fgets(line, sizeof(line), f)) {
        char point[256], type[64], source[256], options[512];
        char *dash = strstr(line, " - ");

        if (!dash || sscanf(line, "%*s %*s %*s %*s %255s", point) != 1 ||
            sscanf(dash + 3, "%63s %255s %511s", type, source, options) != 3)
            continue;
        if (strcmp(type, "cgroup") == 0 && has_word(options, "pids")) {
            snprintf(dir, len, "%s", point);
            found = 1;
        } else if (strcmp(type, "cgroup2") == 0 && !*v2_dir) {
            snprintf(v2_dir, sizeof(v2_dir), "%s", point);
        }
    }
    fclose(f);
    if (!found && *v2_dir)
        snprintf(dir, len, "%s", v2_dir);
    *v2 = !found;
    return found || *v2_dir ? 0 : -1;
}

/* Find the grader's own cgroup in the hierarchy, from /proc/self/cgroup. */
static int own_path(int v2, char *path, size_t len)
{
    FILE *f = fopen("/proc/self/cgroup", "re");
    char line[1024];
    int found = 0;

    if (!f)
        return -1;
    while (!found && fgets(line, sizeof(line), f)) {
        char *controllers = strchr(line, ':');
        char *where = controllers ? strchr(controllers + 1, ':') : NULL;

        if (!where)
            continue;
        *where++ = '\0';
        where[strcspn(where, "\n")] = '\0';
        controllers++;
        if (v2 ? strcmp(line, "0") == 0 && *controllers == '\0'
               : has_word(controllers, "pids")) {
            snprintf(path, len, "%s", where);
            found = 1;
        }
    }
    fclose(f);
    return found ? 0 : -1;
}

/*
 * Remove the empty cgroups of graders that were killed before they could.
 * A grader in another PID namespace may share the hierarchy, and its PID
 * means nothing here, so a cgroup must also be an hour old to go.
 */
static void remove_stale(const char *parent)
{
    DIR *d = opendir(parent);
    time_t hour_ago = time(NULL) - 3600;
    struct dirent *e;

    if (!d)
        return;
    while ((e = readdir(d)) != NULL) {
        char path[600 + NAME_MAX + 2];
        struct stat st;
        int pid;

        if (sscanf(e->d_name, "proclab-%d", &pid) != 1 || pid <= 0 ||
            kill(pid, 0) == 0 || errno != ESRCH)
            continue;
        snprintf(path, sizeof(path), "%s/%s", parent, e->d_name);
        if (stat(path, &st) == 0 && st.st_mtime < hour_ago)
            rmdir(path);
    }
    closedir(d);
}

static int give_up(const char *call)
{
    snprintf(reason, sizeof(reason), "%s: %s", call, strerror(errno));
    group[0] = '\0';
    return 0;
}

int cg_setup(int max_tasks)
{
    char mount_dir[256], own[256], parent[600], max[32];
    int v2;

    if (geteuid() != 0) {
        snprintf(reason, sizeof(reason), "only root may make one");
        return 0;
    }
    if (find_mount(mount_dir, sizeof(mount_dir), &v2) == -1)
        return give_up("no cgroup file system mounted");
    if (own_path(v2, own, sizeof(own)) == -1)
        return give_up("no pids cgroup in /proc/self/cgroup");
    snprintf(parent, sizeof(parent), "%s%s", mount_dir,
             strcmp(own, "/") == 0 ? "" : own);

    /* In cgroup v2 a child gets the controllers its parent enables. */
    if (v2 && write_in(parent, "cgroup.subtree_control", "+pids") == -1)
        return give_up("enabling pids in cgroup.subtree_control");
    remove_stale(parent);
    snprintf(group, sizeof(group), "%s/proclab-%d", parent, (int)getpid());
    if (mkdir(group, 0755) == -1)
        return give_up("mkdir(pids cgroup)");
    snprintf(max, sizeof(max), "%d", max_tasks);
    if (write_in(group, "pids.max", max) == -1) {
        rmdir(group);
        return give_up("write(pids.max)");
    }
    return 1;
}

int cg_active(void)
{
    return group[0] != '\0';
}

const char *cg_reason(void)
{
    return reason;
}

void cg_enter(void)
{
    /* Without the cgroup the tests are still bounded by RLIMIT_NPROC. */
    if (cg_active() && write_in(group, "cgroup.procs", "0") == -1)
        pl_warn("write(%s/cgroup.procs); the tests run outside the pids "
                "cgroup",
                group);
}

/* Kill every process in the cgroup; return how many there were. */
static int kill_members(void)
{
    char path[sizeof(group) + 32], line[32];
    int count = 0;
    FILE *f;

    snprintf(path, sizeof(path), "%s/cgroup.procs", group);
    f = fopen(path, "re");
    if (!f)
        return 0;
    while (fgets(line, sizeof(line), f)) {
        kill((pid_t)atoi(line), SIGKILL);
        count++;
    }
    fclose(f);
    return count;
}

void cg_kill_all(void)
{
    long long give_up_at = pl_now_ms() + 2000;

    if (!cg_active())
        return;

    /* A process killed while it forks can leave a new child: repeat. */
    while (kill_members() > 0 && pl_now_ms() < give_up_at)
        usleep(1000);
}

void cg_remove(void)
{
    if (!cg_active())
        return;
    cg_kill_all();
    if (rmdir(group) == -1)
        pl_warn("rmdir(%s)", group);
    group[0] = '\0';
}
