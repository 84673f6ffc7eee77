/* Shell globs over benchmark names (`*`, `?`, `[...]`, `[^...]`: SQLite GLOB's syntax, which fnmatch(3) reads alike), one reading for every
 * place that takes one: --threshold-for and @history's benchmark=, so a pattern means the same
 * in both. */
#ifndef TB_GLOB_H
#define TB_GLOB_H

/* Whether g is a glob that means what it says: not empty, every '[' closed by a ']' (a ']' right
 * after '[' or '[^' is a member). An unclosed '[' would otherwise match itself, silently. */
int tb_glob_valid(const char *g);
/* Whether name matches g, case-sensitive, '*' crossing '/' and spaces. */
int tb_glob_match(const char *g, const char *name);

#endif
