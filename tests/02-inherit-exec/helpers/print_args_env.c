/*
 * print_args_env.c - Lab 02 test helper: print the arguments and the
 * environment that this program received from execve().
 *
 * Prints one line per argument, then one per environment string, in the
 * order execve() passed them:
 *
 *   arg ARGV[0]
 *   arg ARGV[1]
 *   env NAME=VALUE
 *
 * A test compares these lines with the argv and envp it passed.
 */
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    for (int i = 0; i < argc; i++)
        printf("arg %s\n", argv[i]);
    for (char **entry = environ; *entry != NULL; entry++)
        printf("env %s\n", *entry);
    return fflush(stdout) == 0 ? 0 : 1;
}
