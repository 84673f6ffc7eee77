/* Enumerates /proc/self/task. */
#include "tasks.h"

#include <dirent.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void read_stat(tb_task *t)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", (int)t->tid);
    FILE *f = fopen(path, "r");
    t->last_cpu = -1;
    t->cpu_seconds = 0.0;
    if (!f)
        return;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* The command name (field 2) may hold spaces: fields are counted after its closing ')'. */
    char *p = strrchr(buf, ')');
    if (!p)
        return;
    unsigned long long utime = 0, stime = 0;
    int field = 2, cpu = -1;
    char *save = NULL; /* strtok_r: strtok keeps one hidden position for every thread of the process */
    for (char *tok = strtok_r(p + 1, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
        field++;
        if (field == 14)
            utime = strtoull(tok, NULL, 10);
        else if (field == 15)
            stime = strtoull(tok, NULL, 10);
        else if (field == 39) {
            cpu = (int)strtol(tok, NULL, 10);
            break;
        }
    }
    t->last_cpu = cpu;
    t->cpu_seconds = (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
}

static void read_affinity(tb_task *t)
{
    cpu_set_t set;
    t->cpus[0] = '\0';
    t->n_cpus = 0;
    t->first_cpu = -1;
    if (sched_getaffinity(t->tid, sizeof set, &set) != 0)
        return;
    size_t len = 0;
    for (int c = 0; c < CPU_SETSIZE; c++) {
        if (!CPU_ISSET(c, &set))
            continue;
        int run_end = c;
        while (run_end + 1 < CPU_SETSIZE && CPU_ISSET(run_end + 1, &set))
            run_end++;
        if (t->first_cpu < 0)
            t->first_cpu = c;
        t->n_cpus += run_end - c + 1;
        int w = run_end > c ? snprintf(t->cpus + len, sizeof t->cpus - len, "%s%d-%d", len ? "," : "", c, run_end)
                            : snprintf(t->cpus + len, sizeof t->cpus - len, "%s%d", len ? "," : "", c);
        if (w < 0 || (size_t)w >= sizeof t->cpus - len)
            break;
        len += (size_t)w;
        c = run_end;
    }
}

int tb_tasks_list(tb_task *tasks, int cap)
{
    DIR *d = opendir("/proc/self/task");
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < cap) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        tb_task *t = &tasks[n++];
        memset(t, 0, sizeof *t);
        t->tid = (pid_t)strtol(e->d_name, NULL, 10);
        read_affinity(t);
        read_stat(t);
    }
    closedir(d);
    return n;
}
