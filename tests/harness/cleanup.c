/*
 * cleanup.c - what the harness removes after each test.
 *
 * Processes first, because a process still running could create more of
 * everything else; then the test's directory and its IPC objects.
 */
#include "harness.h"

#include "proclab.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <mqueue.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

char plh_test_dir[4096];
char plh_program_dir[4096];

/* Processes one sweep counts at most; later ones are killed uncounted. */
#define MAX_COUNTED 4096

/* Note pid, not counted before, in the list of processes left running. */
static void count_left(pid_t pid, pid_t *counted, int *running, char *names,
                       size_t len)
{
    struct pl_proc_stat st;
    size_t used = strlen(names);

    for (int i = 0; i < *running && i < MAX_COUNTED; i++)
        if (counted[i] == pid)
            return;
    if (pl_proc_read_stat(pid, &st) == -1 || st.state == 'Z')
        return;
    if (*running < 3 && used + 40 < len)
        snprintf(names + used, len - used, "%s%d (%s)", *running ? ", " : "",
                 (int)pid, st.comm);
    if (*running < MAX_COUNTED)
        counted[*running] = pid;
    (*running)++;
}

/*
 * In a PID namespace of its own the harness is its init, and every other
 * process in it is left over from the test. Count them all, then end
 * them with one kill(-1), which new forks cannot outrun: a fork bomb
 * killed one process at a time replaces them as fast as they go.
 */
static void kill_namespace(pid_t *counted, int *running, char *names,
                           size_t len)
{
    DIR *proc = opendir("/proc");
    struct dirent *e;

    while (proc && (e = readdir(proc)) != NULL) {
        int pid = atoi(e->d_name);

        if (pid > 1)
            count_left(pid, counted, running, names, len);
    }
    if (proc)
        closedir(proc);
    kill(-1, SIGKILL);
}

/* Processes one stop pass looks at, at most. */
#define MAX_SCANNED 8192

/* Return 1 when pid descends from this process, by the parent links. */
static int descends(pid_t pid, const pid_t *pids, const pid_t *parents,
                    int n)
{
    for (int depth = 0; depth < 64 && pid > 1; depth++) {
        int i = 0;

        while (i < n && pids[i] != pid)
            i++;
        if (i == n)
            return 0;
        pid = parents[i];
        if (pid == getpid())
            return 1;
    }
    return 0;
}

/*
 * Without a PID namespace of its own the harness cannot kill(-1), which
 * would hit every process of the user. So it first stops every
 * descendant with SIGSTOP, pass after pass until none is left running: a
 * stopped process cannot fork, so a fork bomb cannot outrun this. The
 * sweep then kills them, stopped as they are.
 */
static void stop_descendants(void)
{
    static pid_t pids[MAX_SCANNED], parents[MAX_SCANNED];

    for (int pass = 0; pass < 100; pass++) {
        DIR *proc = opendir("/proc");
        struct dirent *e;
        int n = 0, stopped = 0;

        while (proc && (e = readdir(proc)) != NULL && n < MAX_SCANNED) {
            struct pl_proc_stat st;
            int pid = atoi(e->d_name);

            if (pid > 0 && pl_proc_read_stat(pid, &st) == 0) {
                pids[n] = pid;
                parents[n++] = st.ppid;
            }
        }
        if (proc)
            closedir(proc);
        for (int i = 0; i < n; i++) {
            struct pl_proc_stat st;

            if (!descends(pids[i], pids, parents, n) ||
                pl_proc_read_stat(pids[i], &st) == -1 || st.state == 'T' ||
                st.state == 'Z')
                continue;
            kill(pids[i], SIGSTOP);
            stopped++;
        }
        if (stopped == 0)
            return;
    }
}

/*
 * Kill and reap every process the harness adopted. A killed process's own
 * children are handed to the harness before it becomes a zombie, so the
 * next round finds them. Returns how many were still running.
 */
int plh_sweep_descendants(char *names, size_t len)
{
    static pid_t counted[MAX_COUNTED];
    pid_t kids[256];
    int running = 0;

    names[0] = '\0';
    if (getpid() == 1)
        kill_namespace(counted, &running, names, len);
    else
        stop_descendants();
    for (;;) {
        int n = pl_proc_children(0, kids, 256);
        int status;

        for (int i = 0; i < n && i < 256; i++) {
            count_left(kids[i], counted, &running, names, len);
            kill(kids[i], SIGKILL);
        }
        if (waitpid(-1, &status, 0) == -1 && errno == ECHILD)
            return running;
    }
}

void plh_make_test_dir(void)
{
    const char *tmp = getenv("TMPDIR");

    snprintf(plh_test_dir, sizeof(plh_test_dir), "%s/proclab-test-XXXXXX",
             tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(plh_test_dir))
        pl_die("mkdtemp(%s)", plh_test_dir);
    if (plh_limits.drop_root &&
        chown(plh_test_dir, plh_limits.uid, plh_limits.gid) == -1)
        pl_die("chown(%s, uid %d)", plh_test_dir, (int)plh_limits.uid);
}

static int remove_entry(const char *path, const struct stat *st, int type,
                        struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if ((type == FTW_DP ? rmdir(path) : unlink(path)) == -1)
        pl_warn("removing %s", path);
    return 0;
}

/* Runs after the sweep, so no process of the test can still add files. */
void plh_remove_test_dir(void)
{
    nftw(plh_test_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

void plh_find_program_dir(void)
{
    ssize_t n = readlink("/proc/self/exe", plh_program_dir,
                         sizeof(plh_program_dir) - 1);
    char *slash;

    if (n == -1)
        pl_die("readlink(/proc/self/exe)");
    plh_program_dir[n] = '\0';
    slash = strrchr(plh_program_dir, '/');
    if (slash)
        *slash = '\0';
}


/*
 * Names in /dev/shm and /dev/mqueue before the test, so that objects the
 * test created can be told from older ones. /dev/mqueue exists only where
 * the mqueue file system is mounted; without it, and for queues in the
 * harness's own IPC namespace, the names from pl_test_ipc_name() are
 * what the harness can check.
 */
#define MAX_SNAPSHOT 512

struct snapshot {
    const char *dir;
    int count;
    char names[MAX_SNAPSHOT][NAME_MAX + 1];
};

static struct snapshot shm_before = {"/dev/shm", 0, {{0}}};
static struct snapshot mq_before = {"/dev/mqueue", 0, {{0}}};

static void take_snapshot(struct snapshot *snap)
{
    DIR *d = opendir(snap->dir);
    struct dirent *e;

    snap->count = 0;
    if (!d)
        return;
    while ((e = readdir(d)) != NULL && snap->count < MAX_SNAPSHOT) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            snprintf(snap->names[snap->count++], NAME_MAX + 1, "%s",
                     e->d_name);
    }
    closedir(d);
}

void plh_snapshot_ipc(void)
{
    take_snapshot(&shm_before);
    take_snapshot(&mq_before);
}

static int in_snapshot(const struct snapshot *snap, const char *name)
{
    for (int i = 0; i < snap->count; i++)
        if (strcmp(snap->names[i], name) == 0)
            return 1;
    return 0;
}

void plh_make_printable(char *text)
{
    for (unsigned char *p = (unsigned char *)text; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            *p = '?';
}

static void note_leak(char *msg, size_t len, int *count, const char *kind,
                      const char *name)
{
    size_t used = strlen(msg);

    if (*count < 4 && used + strlen(name) + 40 < len) {
        snprintf(msg + used, len - used, "%s%s /%s", *count ? ", " : "",
                 kind, name[0] == '/' ? name + 1 : name);
        plh_make_printable(msg + used);
    }
    (*count)++;
}

/* Return 1 when the link or map line names path, exactly or as deleted. */
static int names_path(const char *text, const char *path)
{
    const char *at = strstr(text, path);
    size_t len = strlen(path);

    return at && (at[len] == '\0' || at[len] == '\n' || at[len] == ' ');
}

/* Return 1 when process pid has path open or mapped. */
static int process_uses(int pid, const char *path)
{
    char where[64], line[PATH_MAX + 128];
    struct dirent *e;
    int found = 0;
    FILE *maps;
    DIR *fds;

    snprintf(where, sizeof(where), "/proc/%d/fd", pid);
    fds = opendir(where);
    while (fds && !found && (e = readdir(fds)) != NULL) {
        char link[sizeof(where) + 24];
        ssize_t n;

        snprintf(link, sizeof(link), "%s/%.16s", where, e->d_name);
        n = readlink(link, line, sizeof(line) - 1);
        if (n > 0) {
            line[n] = '\0';
            found = names_path(line, path);
        }
    }
    if (fds)
        closedir(fds);
    snprintf(where, sizeof(where), "/proc/%d/maps", pid);
    maps = found ? NULL : fopen(where, "re");
    while (maps && !found && fgets(line, sizeof(line), maps))
        found = names_path(line, path);
    if (maps)
        fclose(maps);
    return found;
}

/*
 * Return 1 when a running process has the object open or mapped. After
 * the sweep no process of the test is left, so that process belongs to
 * another grade or to another program of the same user, such as a sound
 * server. They share /dev/shm when the harness has no namespace.
 */
static int used_elsewhere(const char *path)
{
    DIR *proc = opendir("/proc");
    struct dirent *e;
    int found = 0;

    while (proc && !found && (e = readdir(proc)) != NULL)
        if (e->d_name[0] >= '1' && e->d_name[0] <= '9')
            found = process_uses(atoi(e->d_name), path);
    if (proc)
        closedir(proc);
    return found;
}

/* Remove the test user's new objects in a listed folder. */
static void remove_new_files(const struct snapshot *before, const char *kind,
                             char *msg, size_t len, int *count)
{
    DIR *d = opendir(before->dir);
    struct dirent *e;

    if (!d)
        return;
    while ((e = readdir(d)) != NULL) {
        char path[PATH_MAX];
        struct stat st;

        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
            in_snapshot(before, e->d_name))
            continue;
        snprintf(path, sizeof(path), "%s/%s", before->dir, e->d_name);
        if (lstat(path, &st) == -1 || st.st_uid != plh_limits.uid)
            continue;
        if (getpid() != 1 && used_elsewhere(path))
            continue;
        if (unlink(path) == 0)
            note_leak(msg, len, count, kind, e->d_name);
    }
    closedir(d);
}

int plh_remove_ipc_objects(char *msg, size_t len)
{
    int count = 0;

    msg[0] = '\0';
    for (int i = 0; i < plh_shared->ipc_count && i < MAX_IPC_NAMES; i++) {
        const char *name = plh_shared->ipc_names[i];

        if (shm_unlink(name) == 0)
            note_leak(msg, len, &count, "shared memory object", name);
        if (mq_unlink(name) == 0)
            note_leak(msg, len, &count, "message queue", name);
    }
    for (int i = 0; i < plh_shared->queue_count && i < MAX_QUEUE_NAMES; i++)
        if (mq_unlink(plh_shared->queue_names[i]) == 0)
            note_leak(msg, len, &count, "message queue",
                      plh_shared->queue_names[i]);
    remove_new_files(&shm_before, "shared memory object", msg, len, &count);
    remove_new_files(&mq_before, "message queue", msg, len, &count);
    return count;
}
