/* Cost arithmetic (see cost.h). */
#include "cost.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

double tb_usd_per_mtok(double usd_per_hour, double tokens_per_s, double utilization)
{
    if (!isfinite(usd_per_hour) || !isfinite(tokens_per_s) || !isfinite(utilization) || tokens_per_s <= 0 ||
        usd_per_hour < 0 || utilization <= 0 || utilization > 1)
        return NAN;
    return usd_per_hour / (tokens_per_s * 3600.0 * utilization) * 1e6;
}

tb_ci tb_cost_ci(double usd_per_hour, tb_ci tps, double utilization)
{
    tb_ci c = {tb_usd_per_mtok(usd_per_hour, tps.median, utilization),
               tb_usd_per_mtok(usd_per_hour, tps.hi, utilization), tb_usd_per_mtok(usd_per_hour, tps.lo, utilization)};
    return c;
}

double tb_cost_blend(double in, double out, double w_in, double w_out)
{
    if (!(w_in >= 0) || !(w_out >= 0) || w_in + w_out <= 0)
        return NAN;
    double s = 0;
    if (w_in > 0) {
        if (isnan(in))
            return NAN;
        s += w_in * in;
    }
    if (w_out > 0) {
        if (isnan(out))
            return NAN;
        s += w_out * out;
    }
    return s / (w_in + w_out);
}

tb_ci tb_cost_blend_ci(tb_ci in, tb_ci out, double w_in, double w_out)
{
    tb_ci c = {tb_cost_blend(in.median, out.median, w_in, w_out), tb_cost_blend(in.lo, out.lo, w_in, w_out),
               tb_cost_blend(in.hi, out.hi, w_in, w_out)};
    return c;
}

tb_ci tb_ci_scale(tb_ci t, double f)
{
    tb_ci c = {t.median * f, t.lo * f, t.hi * f};
    return c;
}

static int parse_nonneg(const char *s, size_t n, double *out)
{
    char buf[64];
    if (n == 0 || n >= sizeof buf)
        return -1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    if (!tb_decimal_valid(buf))
        return -1;
    *out = strtod(buf, NULL);
    return isfinite(*out) ? 0 : -1;
}

int tb_blend_parse(const char *s, double *in, double *out)
{
    const char *colon = strchr(s, ':');
    if (!colon || parse_nonneg(s, (size_t)(colon - s), in) != 0 ||
        parse_nonneg(colon + 1, strlen(colon + 1), out) != 0 || *in + *out <= 0)
        return -1;
    return 0;
}

int tb_fx_parse(const char *s, tb_fx *fx, char *err, size_t errcap)
{
    memset(fx, 0, sizeof *fx);
    if (!s)
        return 0;
    for (const char *p = s; *p;) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', n);
        char code[8] = "";
        double rate;
        if (eq && eq - p < (long)sizeof code)
            memcpy(code, p, (size_t)(eq - p));
        if (!eq || !tb_currency_valid(code) || parse_nonneg(eq + 1, n - (size_t)(eq - p) - 1, &rate) != 0 ||
            rate <= 0) {
            snprintf(err, errcap, "'%.*s': expected CUR=RATE (US dollars per unit of CUR), e.g. EUR=1.08", (int)n, p);
            return -1;
        }
        if (strcmp(code, "USD") == 0 && rate != 1) {
            snprintf(err, errcap, "USD=%g: a US dollar is one US dollar", rate);
            return -1;
        }
        if (fx->n == TB_FX_MAX || (!isnan(tb_fx_rate(fx, code)) && strcmp(code, "USD") != 0)) {
            snprintf(err, errcap, "%s: given twice, or more than %d rates", code, TB_FX_MAX);
            return -1;
        }
        memcpy(fx->code[fx->n], code, 4);
        fx->usd_per_unit[fx->n++] = rate;
        p += n + (end != NULL);
    }
    return 0;
}

double tb_fx_rate(const tb_fx *fx, const char *cur)
{
    if (strcmp(cur, "USD") == 0)
        return 1.0;
    for (int i = 0; fx && i < fx->n; i++)
        if (strcmp(fx->code[i], cur) == 0)
            return fx->usd_per_unit[i];
    return NAN;
}

const char *tb_arch_normalize(const char *a)
{
    if (!a || !*a)
        return NULL;
    if (!strcmp(a, "x86_64") || !strcmp(a, "amd64") || !strcmp(a, "x86-64") || !strcmp(a, "x64"))
        return "x86_64";
    if (!strcmp(a, "aarch64") || !strcmp(a, "arm64"))
        return "arm64";
    return a;
}

static int same_str(const char *a, const char *b) { return a && b && strcmp(a, b) == 0; }

static int is_public_cloud(const char *prov)
{
    return !strcmp(prov, "aws") || !strcmp(prov, "gcp") || !strcmp(prov, "azure");
}

tb_proj tb_cost_projection(const tb_ran_on *r, const tb_price *p, int allow, double *factor)
{
    *factor = 1.0;
    const char *prov = p->cell[TB_PCOL_PROVIDER], *inst = p->cell[TB_PCOL_INSTANCE];
    const char *ra = tb_arch_normalize(r->arch), *pa = tb_arch_normalize(p->cell[TB_PCOL_ARCH]);
    if (r->type && *r->type) {
        if (same_str(r->type, inst) && (!r->provider || same_str(r->provider, prov)))
            return TB_PROJ_SAME;
    } else if ((r->provider ? same_str(r->provider, prov) : !is_public_cloud(prov)) && (!pa || same_str(ra, pa)) &&
               (isnan(p->physical_cores) || isnan(r->machine_cores) || p->physical_cores == r->machine_cores)) {
        /* The record cannot name its instance (GCP and Azure DMI do not; an on-prem machine has
         * none): take the user's word when nothing the record knows contradicts it. A record
         * with no cloud at all did not run on one whose DMI tokbench recognises. */
        return TB_PROJ_SAME;
    }
    if (!allow)
        return TB_PROJ_NEED_FLAG;
    if (!ra || !pa || strcmp(ra, pa) != 0)
        return TB_PROJ_ARCH;
    if (isnan(p->physical_cores) || isnan(r->cores_used) || r->cores_used <= 0)
        return TB_PROJ_CORES_UNKNOWN;
    if (r->cores_used > p->physical_cores)
        return TB_PROJ_TOO_MANY;
    *factor = p->physical_cores / r->cores_used;
    return TB_PROJ_OK;
}

const char *tb_proj_reason(tb_proj s)
{
    switch (s) {
    case TB_PROJ_SAME:
        return "the instance it ran on";
    case TB_PROJ_OK:
        return "projected";
    case TB_PROJ_NEED_FLAG:
        return "another instance than the one it ran on (a projection: add --project)";
    case TB_PROJ_ARCH:
        return "another or an unknown architecture (projections never cross architectures)";
    case TB_PROJ_CORES_UNKNOWN:
        return "physical cores unknown (the price row's physical_cores or the cores the result used)";
    case TB_PROJ_TOO_MANY:
        return "fewer physical cores than the result used (a projection never goes beyond the target's cores)";
    }
    return "?";
}
