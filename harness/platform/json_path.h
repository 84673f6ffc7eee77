/* Reading a value out of a record by its dotted path: "prefill.tokens_per_s.median" is member
 * median of member tokens_per_s of member prefill. The one getter the renderers, the pricing and
 * the commands use (in platform/ because pricing/ and report/ are peers). */
#ifndef TB_JSON_PATH_H
#define TB_JSON_PATH_H

#include <jansson.h>

/* The value at dotted under root; NULL when a step is absent or not an object (root NULL too). */
const json_t *tb_json_at(const json_t *root, const char *dotted);

/* It as a double; NaN when absent or not a number. */
double tb_json_num(const json_t *root, const char *dotted);

/* It as an integer; 0 when absent or not an integer (as json_integer_value). */
long long tb_json_int(const json_t *root, const char *dotted);

/* It as a string; fallback when absent or not a string. */
const char *tb_json_str_or(const json_t *root, const char *dotted, const char *fallback);

/* It as a string; "" when absent or not a string (an empty cell in a table). */
const char *tb_json_str(const json_t *root, const char *dotted);

#endif
