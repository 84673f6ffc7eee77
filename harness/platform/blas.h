/* OpenBLAS as a measured backend: its threads placed on the same PUs as ours, and described. */
#ifndef TB_BLAS_H
#define TB_BLAS_H

#include <jansson.h>

#include "team.h"

/* Gives OpenBLAS the team's thread count and binds its threads to the team's PUs: OpenBLAS
 * thread i (a worker) to team slot i+1, the calling thread (OpenBLAS's last index) is the team's
 * member 0, already bound to slot 0. Then checks from /proc that every worker sits where it
 * should. Returns 0 or an exit code after one error line. */
int tb_blas_place(tb_team *tm);
/* Warns when OpenBLAS runs generic x86-64 kernels on an AVX2 or AVX-512 CPU (a model newer than the
 * library): call where the openblas backend is timed. */
void tb_blas_warn_if_fallback_core(void);

/* {"available", "version", "config", "corename", "parallel", "threads", "placement": [...]}. */
json_t *tb_blas_info_json(const tb_team *tm);

/* OpenBLAS's kernel family for this CPU ("Zen"), or "none". */
const char *tb_blas_corename(void);

/* "0.3.21", parsed from openblas_get_config(); NULL when OpenBLAS is not built in. */
const char *tb_blas_version(void);

#endif
