/* This process's threads as Linux sees them (/proc/self/task): affinity, CPU time, last CPU.
 * Used to find and check threads that a library (OpenBLAS) created behind our back. */
#ifndef TB_TASKS_H
#define TB_TASKS_H

#include <sys/types.h>

#define TB_MAX_TASKS 4096

typedef struct tb_task {
    pid_t tid;
    char cpus[128];      /* affinity as a CPU list, e.g. "1" or "0-15" */
    int n_cpus;          /* CPUs in the affinity mask */
    int first_cpu;       /* lowest CPU in the mask */
    int last_cpu;        /* CPU it last ran on (field 39 of stat) */
    double cpu_seconds;  /* utime + stime */
} tb_task;

/* Fills up to cap tasks; returns how many, or -1 when /proc is unreadable. */
int tb_tasks_list(tb_task *tasks, int cap);

#endif
