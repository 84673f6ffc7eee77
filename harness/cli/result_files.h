/* The record files that the commands reading saved records take (cost, report). Returns 0 or an
 * exit code after one "tokbench: ..." line (util.h). */
#ifndef TB_RESULT_FILES_H
#define TB_RESULT_FILES_H

#include "cost_records.h"
#include "options.h"

/* The positional arguments as record files: files named on the command line go to files, every
 * *.json regular file under a named directory (at any depth, sorted per directory) and every record an
 * @history[:FILTERS] argument selects from o->results_dir's history (track/history.h) to found, so a
 * caller can refuse a record of another command when it was named and skip it when it was found.
 * The caller checks that there is at least one argument (its own message says what it reads). */
int tb_result_files(const tb_opts *o, tb_strlist *files, tb_strlist *found);

#endif
