/*
 * proclab.h - the helper library shared by labs, solutions and tests.
 *
 * Include this one header to get all of it:
 *
 *   pl_error.h  error reporting that names the failing call and errno
 *   pl_sys.h    checked wrappers around fork, pipe, waitpid, read, write
 *   pl_proc.h   readers for /proc (process state, page faults, smaps, fds)
 *   pl_sync.h   a race-free parent/child handshake over pipes
 *   pl_run.h    run a function in a child with a deadline, capture output
 *
 * The library is Linux-first: pl_proc.h reads /proc, which other systems
 * lay out differently or lack.
 */
#ifndef PROCLAB_H
#define PROCLAB_H

#include "pl_error.h"
#include "pl_proc.h"
#include "pl_run.h"
#include "pl_sync.h"
#include "pl_sys.h"

#endif
