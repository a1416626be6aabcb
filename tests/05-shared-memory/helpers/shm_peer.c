/*
 * shm_peer.c - Lab 05 test helper: a program that shares nothing with
 * the test but the name of a POSIX shared memory object.
 *
 *   shm_peer read NAME          print the object's size, mode and text:
 *                                 size 4096
 *                                 mode 600
 *                                 text hello
 *   shm_peer create NAME TEXT   create NAME (SM_OBJECT_SIZE bytes, mode
 *                               0600) holding TEXT and its NUL
 *
 * The test execs it, so it starts from a fresh memory image: the only
 * way it can reach the lab's data is shm_open() on the name. It exits
 * with 0 on success, 2 when it cannot open or create the object (after
 * printing "error ENAME"), and 1 on any other failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proclab.h"
#include "shared_memory.h"

#define EXIT_NO_OBJECT 2

static int read_object(const char *name)
{
    struct stat st;
    const char *object;
    int fd = shm_open(name, O_RDONLY, 0);

    if (fd == -1) {
        printf("error %s\n", pl_errno_name(errno));
        return EXIT_NO_OBJECT;
    }
    if (fstat(fd, &st) != 0)
        pl_die("fstat(%s)", name);
    printf("size %lld\n", (long long)st.st_size);
    printf("mode %o\n", (unsigned int)(st.st_mode & 07777));
    if (st.st_size == 0) {
        printf("text \n");
        pl_close(fd);
        return 0;
    }
    object = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
    if (object == MAP_FAILED)
        pl_die("mmap(%s, %lld bytes)", name, (long long)st.st_size);
    printf("text %.*s\n", (int)strnlen(object, (size_t)st.st_size), object);
    if (munmap((void *)object, (size_t)st.st_size) != 0)
        pl_die("munmap(%s)", name);
    pl_close(fd);
    return 0;
}

static int create_object(const char *name, const char *text)
{
    char *object;
    int fd;

    if (strlen(text) >= SM_OBJECT_SIZE)
        pl_fatal("text of %zu bytes is too long", strlen(text));
    fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
    if (fd == -1) {
        printf("error %s\n", pl_errno_name(errno));
        return EXIT_NO_OBJECT;
    }
    if (ftruncate(fd, SM_OBJECT_SIZE) != 0)
        pl_die("ftruncate(%s, %d)", name, SM_OBJECT_SIZE);
    object = mmap(NULL, SM_OBJECT_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
                  fd, 0);
    if (object == MAP_FAILED)
        pl_die("mmap(%s)", name);
    memcpy(object, text, strlen(text) + 1);
    if (munmap(object, SM_OBJECT_SIZE) != 0)
        pl_die("munmap(%s)", name);
    pl_close(fd);
    return 0;
}

int main(int argc, char **argv)
{
    int code;

    if (argc == 3 && strcmp(argv[1], "read") == 0)
        code = read_object(argv[2]);
    else if (argc == 4 && strcmp(argv[1], "create") == 0)
        code = create_object(argv[2], argv[3]);
    else
        pl_fatal("usage: shm_peer read NAME | shm_peer create NAME TEXT");
    if (fflush(stdout) != 0)
        return 1;
    return code;
}
