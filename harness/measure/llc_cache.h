/* The measured knee, cached per machine fingerprint and CPU set (as FFTW keeps its wisdom), so
 * the sweep is paid once per machine and every later record carries the same figure. */
#ifndef TB_LLC_CACHE_H
#define TB_LLC_CACHE_H

#include "llc.h"

/* The cache folder: $TOKBENCH_CACHE_DIR, else $XDG_CACHE_HOME/tokbench, else ~/.cache/tokbench.
 * Writes the folder into buf; -1 when none can be named. */
int tb_llc_cache_dir(char *buf, size_t cap);

/* Fills l->sweep, measured_at and measured_bytes (the knee of the cached points, by today's rule)
 * from the entry for (fingerprint, l->cpus) and sets l->measured_cached. 0 when an entry was
 * found; -1 when there is none or it is unreadable (an unreadable entry is measured again and
 * replaced). */
int tb_llc_cache_load(const char *fingerprint, tb_llc *l);

/* Writes the entry for (fingerprint, l->cpus) next to its final name, then renames it into place,
 * so a reader never sees half an entry. A failure is a warning: the figure is still used. */
void tb_llc_cache_store(const char *fingerprint, const tb_llc *l);

#endif
