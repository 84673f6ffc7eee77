/* compare --normalize: each kernel's time held against the probe that bounds it, measured in the
 * same invocation, so that a machine which is slower tonight as a whole (a busier host, a lower
 * clock, another memory controller share) does not read as a slower kernel. On a shared VM the
 * read probe alone moves by a third between nights; the kernel moves with it.
 *
 * TB_NORM_READ divides only by a read probe of the same rounds; TB_NORM_PROBE also by a peak probe
 * and a run row by its bound (README, Tracking, has what each did to nine nights' noise).
 *
 * - A bench case's probe is the case of the same record with the same op, shape and threads whose
 *   backend is "read" or "peak" (the nearest in the record's order when several match): "read"
 *   first for gemv and attn-decode (they stream their weights or cache), "peak" first for the
 *   others. Both were timed interleaved with the kernel, one sample of each per round, so sample
 *   j of the kernel and sample j of the probe shared their conditions: the normalized samples are
 *   the ratios of those pairs, for the rounds both ran.
 * - A run row's phase is divided by its roofline bound time (batch x prompt tokens for prefill,
 *   batch for decode, at the row's *_tokens_per_s_bound): the probes of the same run, though not
 *   of the same rounds.
 * - A probe case itself, and a case or row with nothing to divide by, keep their times. */
#ifndef TB_COMPARE_NORMALIZE_H
#define TB_COMPARE_NORMALIZE_H

#include <jansson.h>
#include <stddef.h>

typedef enum { TB_NORM_NONE = 0, TB_NORM_READ, TB_NORM_PROBE } tb_norm_mode;

/* "none", "read" or "probe" into *out: 0, or -1 for another word. */
int tb_cmp_norm_parse(const char *s, tb_norm_mode *out);
const char *tb_cmp_norm_name(tb_norm_mode m);

/* Whether case c is a probe ("read" or "peak" backend). */
int tb_cmp_is_probe_case(const json_t *c);

/* The probe case of bench case c (at index ci of cases) that mode divides by, or NULL; *by names
 * it ("read", "peak"). */
const json_t *tb_cmp_probe_of(const json_t *cases, size_t ci, tb_norm_mode mode, const char **by);

/* The paired ratios kernel[j] / probe[j] of the two sample arrays into out (holds the shorter
 * array's length), skipping pairs where either is not a positive number. Returns how many. */
size_t tb_cmp_paired_ratios(const json_t *kernel, const json_t *probe, double *out);

/* The seconds of a run row's phase (0 prefill, 1 decode) at its roofline bound; NaN when the row
 * has no bound. */
double tb_cmp_bound_seconds(const json_t *row, int phase);

#endif
