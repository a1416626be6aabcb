/* Expect: IPC object */
/* A shared memory object and a message queue left in the system. */
int fm_change_in_child(int *heap, int delta, struct fm_values *parent_seen,
                       struct fm_values *child_seen)
{
    char name[64];
    mqd_t queue;
    int fd;

    (void)heap, (void)delta, (void)parent_seen, (void)child_seen;
    snprintf(name, sizeof(name), "/hostile-%d", (int)getpid());
    fd = shm_open(name, O_CREAT | O_RDWR, 0600);
    close(fd);
    queue = mq_open(name, O_CREAT | O_RDWR, 0600, NULL);
    mq_close(queue);
    return -1;
}
