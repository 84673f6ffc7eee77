/* The roofline probes on a team (probe_run.h). */
#include "probe_run.h"

#include <math.h>
#include <string.h>

#include "util.h"

/* Whole 4 KiB pages of doubles per slice (probe_run.h says why). */
#define READ_GRAIN 512

/* ---- read ------------------------------------------------------------------------------------ */

int tb_probe_read_init(tb_probe_read *r, tb_team *team, tb_stream_read_fn read, double *arr, size_t n, int copies,
                       const char *what)
{
    *r = (tb_probe_read){.team = team, .read = read, .arr = arr, .n = n, .copies = copies, .passes = 1};
    r->sums = tb_alloc((size_t)tb_team_size(team) * 8 * sizeof(double), what);
    return r->sums ? 0 : TB_EXIT_RUNTIME;
}

void tb_probe_read_free(tb_probe_read *r)
{
    tb_free(r->sums);
    r->sums = NULL;
}

static void ones_worker(void *p, int tid, int nt)
{
    tb_probe_read *r = p;
    size_t b, e;
    tb_team_split(r->n, READ_GRAIN, tid, nt, &b, &e);
    for (int c = 0; c < r->copies; c++)
        for (size_t i = b; i < e; i++)
            r->arr[(size_t)c * r->n + i] = 1.0;
}

void tb_probe_read_fill_ones(tb_probe_read *r) { tb_team_run(r->team, ones_worker, r); }

static void read_worker(void *p, int tid, int nt)
{
    tb_probe_read *r = p;
    size_t b, e;
    tb_team_split(r->n, READ_GRAIN, tid, nt, &b, &e);
    const double *slice = r->arr + r->copy * r->n + b;
    double s = 0;
    for (int i = 0; i < r->passes; i++)
        s += r->read(slice, e - b);
    r->sums[tid * 8] = s;
}

void tb_probe_read_run(tb_probe_read *r) { tb_team_run(r->team, read_worker, r); }

void tb_probe_read_call(void *p, uint64_t turn)
{
    tb_probe_read *r = p;
    r->copy = (size_t)(turn % (uint64_t)r->copies);
    tb_probe_read_run(r);
}

double tb_probe_read_sum(const tb_probe_read *r)
{
    double sum = 0;
    for (int t = 0; t < tb_team_size(r->team); t++)
        sum += r->sums[t * 8];
    return sum;
}

double tb_probe_read_err(const tb_probe_read *r)
{
    double want = (double)r->n * (double)r->passes;
    return fabs(tb_probe_read_sum(r) - want) / want;
}

/* ---- peak ------------------------------------------------------------------------------------ */

static float peak_seed(int i) { return (float)(i + 1); }

int tb_probe_peak_init(tb_probe_peak *p, tb_team *team, const tb_probe_kernels *k, int64_t iters, const char *what)
{
    *p = (tb_probe_peak){.team = team, .k = *k, .iters = iters, .mul = 1.0f, .add = 1.0f};
    p->acc = tb_alloc((size_t)tb_team_size(team) * TB_PEAK_MAX_FLOATS * sizeof(float), what);
    return p->acc ? 0 : TB_EXIT_RUNTIME;
}

void tb_probe_peak_free(tb_probe_peak *p)
{
    tb_free(p->acc);
    p->acc = NULL;
}

static void peak_worker(void *arg, int tid, int nt)
{
    (void)nt;
    tb_probe_peak *p = arg;
    float *x = p->acc + (size_t)tid * TB_PEAK_MAX_FLOATS;
    for (int i = 0; i < p->k.peak_lanes * p->k.peak_chains; i++)
        x[i] = peak_seed(i);
    p->k.peak(x, p->iters, p->mul, p->add);
}

void tb_probe_peak_run(tb_probe_peak *p) { tb_team_run(p->team, peak_worker, p); }

void tb_probe_peak_call(void *p, uint64_t turn)
{
    (void)turn;
    tb_probe_peak_run(p);
}

int tb_probe_peak_checked(tb_probe_peak *p, tb_team *team, const tb_probe_kernels *k, int corrupt, double *err)
{
    int rc = tb_probe_peak_init(p, team, k, TB_PROBE_PEAK_ITERS, "peak accumulators");
    if (rc)
        return rc;
    tb_probe_peak_run(p);
    if (corrupt)
        p->acc[0] += 1.0f;
    *err = tb_probe_peak_err(p);
    return 0;
}

double tb_probe_peak_err(const tb_probe_peak *p)
{
    double worst = 0;
    for (int t = 0; t < tb_team_size(p->team); t++)
        for (int i = 0; i < p->k.peak_lanes * p->k.peak_chains; i++) {
            double want = (double)peak_seed(i) + (double)p->iters;
            double r = fabs((double)p->acc[(size_t)t * TB_PEAK_MAX_FLOATS + (size_t)i] - want) / want;
            if (!(r <= worst))
                worst = isnan(r) ? INFINITY : r;
        }
    return worst;
}

double tb_probe_peak_flops(const tb_probe_peak *p)
{
    return (double)p->k.peak_lanes * 2.0 * (double)p->k.peak_chains * (double)p->iters *
           (double)tb_team_size(p->team);
}

/* ---- int8 ------------------------------------------------------------------------------------ */

void tb_probe_int8_seed(int32_t *s)
{
    for (int i = 0; i < TB_KERNEL_PEAK_INT8_STATE; i++)
        s[i] = i * 7 + 1;
}

int tb_probe_int8_init(tb_probe_int8 *p, tb_team *team, tb_peak_int8_fn fn, int64_t iters, const char *what)
{
    size_t nt = (size_t)tb_team_size(team);
    *p = (tb_probe_int8){.team = team, .fn = fn, .iters = iters};
    p->state = tb_alloc(nt * TB_KERNEL_PEAK_INT8_STATE * sizeof(int32_t), what);
    p->macs = p->state ? tb_alloc(nt * sizeof(int64_t), what) : NULL;
    return p->macs ? 0 : TB_EXIT_RUNTIME;
}

void tb_probe_int8_free(tb_probe_int8 *p)
{
    tb_free(p->state);
    tb_free(p->macs);
    p->state = NULL;
    p->macs = NULL;
}

static void int8_worker(void *arg, int tid, int nt)
{
    (void)nt;
    tb_probe_int8 *p = arg;
    int32_t *s = p->state + (size_t)tid * TB_KERNEL_PEAK_INT8_STATE;
    tb_probe_int8_seed(s);
    p->macs[tid] = p->fn(s, p->iters);
}

void tb_probe_int8_run(tb_probe_int8 *p) { tb_team_run(p->team, int8_worker, p); }

void tb_probe_int8_call(void *p, uint64_t turn)
{
    (void)turn;
    tb_probe_int8_run(p);
}

double tb_probe_int8_macs(const tb_probe_int8 *p)
{
    double macs = 0;
    for (int t = 0; t < tb_team_size(p->team); t++)
        macs += (double)p->macs[t];
    return macs;
}

double tb_probe_int8_check(tb_peak_int8_fn fn, const char *name, int corrupt, double *macs_per_step)
{
    int32_t got[TB_KERNEL_PEAK_INT8_STATE], want[TB_KERNEL_PEAK_INT8_STATE];
    tb_probe_int8_seed(got);
    tb_probe_int8_seed(want);
    int64_t m = fn(got, TB_PROBE_INT8_CHECK_STEPS), r = tb_peak_int8_ref(name, want, TB_PROBE_INT8_CHECK_STEPS);
    if (corrupt)
        got[0] += 1;
    *macs_per_step = (double)m / TB_PROBE_INT8_CHECK_STEPS;
    if (r < 0 || m != r)
        return INFINITY;
    double worst = 0;
    for (int i = 0; i < TB_KERNEL_PEAK_INT8_STATE; i++) {
        double d = fabs((double)got[i] - (double)want[i]) / fmax(1.0, fabs((double)want[i]));
        worst = d > worst ? d : worst;
    }
    return worst;
}
