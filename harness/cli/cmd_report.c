/* tokbench report (cmd_report.h). The page goes through out_file.h: written whole to a temporary
 * file and renamed onto -o, so a failed or interrupted report never leaves a partial page, and
 * only a regular file of this user is ever replaced. */
#include "cmd_report.h"

#include <stdlib.h>

#include "charts.h"
#include "html.h"
#include "out_file.h"
#include "record.h"
#include "result_files.h"
#include "steps_json.h"
#include "util.h"

typedef struct report_set {
    tb_report_input *in;
    json_t **recs;
    size_t n;
} report_set;

static int load_all(const tb_strlist *a, const tb_strlist *b, report_set *s)
{
    size_t total = a->n + b->n;
    s->in = calloc(total + 1, sizeof *s->in);
    s->recs = calloc(total + 1, sizeof *s->recs);
    if (!s->in || !s->recs)
        return tb_fail(TB_EXIT_RUNTIME, "out of memory");
    for (size_t i = 0; i < total; i++) {
        const char *file = i < a->n ? a->s[i] : b->s[i - a->n];
        int rc = tb_record_load(file, &s->recs[s->n]);
        if (rc)
            return rc;
        s->in[s->n] = (tb_report_input){file, s->recs[s->n]};
        s->n++;
    }
    return 0;
}

int tb_cmd_report(const tb_opts *o)
{
    if (!o->output)
        return tb_fail(TB_EXIT_USAGE, "report: -o FILE.html is required (where the page goes)");
    if (o->npositional == 0)
        return tb_fail(TB_EXIT_USAGE, "report: give one or more RESULT files, directories of saved records or @history[:FILTERS]");
    tb_strlist files = {0}, found = {0};
    report_set s = {0};
    tb_out_file of;
    int rc = tb_out_check("-o", o->output); /* before reading anything */
    if (!rc)
        rc = tb_result_files(o, &files, &found);
    if (!rc)
        rc = load_all(&files, &found, &s);
    tb_report_on_trend_changes(tb_steps_trend_changes); /* the trends mark what history detects */
    if (!rc && (rc = tb_out_open(&of, "-o", o->output)) == 0) {
        if (tb_html_report(of.f, s.in, s.n) != 0) {
            tb_out_abort(&of);
            rc = tb_fail(TB_EXIT_RUNTIME, "-o %s: write failed", o->output);
        } else
            rc = tb_out_commit(&of);
    }
    if (!rc && !o->quiet)
        fprintf(stderr, "tokbench: wrote a report of %zu records to %s\n", s.n, o->output);
    for (size_t i = 0; i < s.n; i++)
        json_decref(s.recs[i]);
    free(s.recs);
    free(s.in);
    tb_strlist_free(&files);
    tb_strlist_free(&found);
    return rc;
}
