/* Files that tokbench reads (price tables, records, price lists, model configs). The rule: only a
 * regular file, of at most a limit its reader names, is read. A FIFO is refused instead of waited
 * on (it is opened without blocking, then looked at), and /dev/zero or a huge file is refused
 * instead of read until memory runs out. */
#ifndef TB_IN_FILE_H
#define TB_IN_FILE_H

#include <stddef.h>

#include <jansson.h>

/* Limits of the readers: far above any real input of each kind, far below this machine's memory. */
#define TB_IN_MAX_RECORD (512ull << 20)
#define TB_IN_MAX_PRICE_TABLE (64ull << 20)
#define TB_IN_MAX_PRICE_LIST (2ull << 30)
#define TB_IN_MAX_CONFIG (16ull << 20)

/* Reads path whole into *buf (NUL-terminated; the caller frees) and *len. 0, or TB_EXIT_USAGE
 * after one line naming path and why (missing, not a regular file and what it is, over max_bytes),
 * or TB_EXIT_RUNTIME (an I/O error, out of memory). */
int tb_in_read(const char *path, size_t max_bytes, char **buf, size_t *len);

/* 1 when path is a regular file (a symbolic link counts as what it points to). */
int tb_in_is_regular(const char *path);

/* Calls fn(path, arg) for every regular *.json file below dir, at any depth (at most 32 folders
 * down), in name order at each level. Hidden entries (temporary files being published) are passed
 * over; a *.json that is not a regular file (a FIFO would block the walk) is skipped with a
 * warning. Stops at the first non-zero fn result and returns it; TB_EXIT_USAGE after one line
 * when a folder cannot be read. */
int tb_in_walk_json(const char *dir, int (*fn)(const char *path, void *arg), void *arg);

/* tb_in_read, then jansson on the bytes. NULL after one line: `PATH: ...` when unreadable,
 * `PATH:LINE: not valid JSON: ...` when malformed; *rc gets the exit code. */
json_t *tb_in_load_json(const char *path, size_t max_bytes, size_t flags, int *rc);

#endif
