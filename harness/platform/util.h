/* Error reporting, checked allocation and strict number parsing shared by every harness module.
 * Convention: functions return 0 on success or a tokbench exit code (TB_EXIT_*) after printing
 * exactly one "tokbench: ..." line; only main() turns that code into the process status. */
#ifndef TB_UTIL_H
#define TB_UTIL_H

#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

enum {
    TB_EXIT_OK = 0,
    TB_EXIT_RUNTIME = 1,   /* I/O, memory, a system call failed */
    TB_EXIT_USAGE = 2,     /* bad flag, bad value, malformed file */
    TB_EXIT_CHECK = 3,     /* a kernel failed its correctness check */
    TB_EXIT_REGRESSION = 4,
    TB_EXIT_INCOMPARABLE = 5,
};

/* Prints "tokbench: <message>" on stderr and returns code, so callers can `return tb_fail(...)`. */
int tb_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#ifdef __clang_analyzer__
/* The static analyzer (scripts/static_check.sh) reads one file at a time and would take a
 * failure's code for 0, then follow `rc = tb_fail(...)` on as a success: it is told the code. */
#define tb_fail(code, ...) ({ int tb_fail_code_ = (code); (tb_fail)(tb_fail_code_, __VA_ARGS__); tb_fail_code_; })
#endif
/* Prints "tokbench: warning: <message>" on stderr unless warnings are silenced (--quiet). */
void tb_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void tb_set_quiet(int quiet);
/* Prints "tokbench: note: <message>": information that is neither an error nor a warning (what an
 * import left out, and why). Silenced by --quiet as warnings are. */
void tb_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void tb_vnote(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* 64-byte aligned, zeroed allocation; NULL (after a tb_fail line naming what) when it fails. */
void *tb_alloc(size_t bytes, const char *what);
/* 64-byte aligned and not written: its pages are first touched by whoever fills them, so a team
 * filling its own shares places them on its own NUMA nodes (tb_alloc's zeroing would put every
 * page on the main thread's). */
void *tb_alloc_untouched(size_t bytes, const char *what);
void tb_free(void *p);
/* tb_free on each argument: TB_FREE_ALL(a, b, c) for the buffers one owner holds. */
void tb_free_each(void *const *bufs, size_t n);
#define TB_FREE_ALL(...) tb_free_each((void *const[]){__VA_ARGS__}, sizeof((void *const[]){__VA_ARGS__}) / sizeof(void *))
/* Room for `need` items of `size` bytes in the array `items` of capacity *cap, which grows by
 * doubling (from 16; a NULL array is given room even for none): the array, moved or not, or NULL
 * with items and *cap as they were. Every growing array of the harness goes through it, so each
 * has the same overflow check. */
void *tb_grow(void *items, size_t *cap, size_t need, size_t size);

/* Strict parsers: the whole string must be consumed, no sign for unsigned, range-checked.
 * Return 0 on success, -1 otherwise (the caller names the flag in its message). */
int tb_parse_u64(const char *s, uint64_t *out);
int tb_parse_int(const char *s, int lo, int hi, int *out);
int tb_parse_double(const char *s, double *out);
/* A byte count: digits, optionally followed by KiB, MiB or GiB (any case). */
int tb_parse_bytes(const char *s, uint64_t *out);

/* What tb_parse_int_list says of a list: each caller words its own error and names its flag. */
enum { TB_LIST_OK = 0, TB_LIST_EMPTY_ITEM = -1, TB_LIST_BAD_ITEM = -2, TB_LIST_TOO_MANY = -3 };
/* A comma list of whole numbers, each from lo to hi, into out[0..*n): digits only per item, no
 * empty item (so no leading, trailing or doubled comma, and no empty list), at most cap items.
 * The list's shape is checked before any item, so an empty item is reported as such wherever it
 * is. Repeated values are the caller's business (a sweep refuses them, a batch of lengths not). */
int tb_parse_int_list(const char *s, int64_t lo, int64_t hi, int64_t *out, int cap, int *n);

/* Multiplies with overflow detection; returns -1 on overflow. */
int tb_mul_u64(uint64_t a, uint64_t b, uint64_t *out);

/* Reads a small text file (sysfs, procfs) into buf, strips the trailing newline; -1 if unreadable. */
int tb_read_small_file(const char *path, char *buf, size_t cap);

/* Set by the signal handler (measure.h) to the signal that asked tokbench to stop, 0 before: defined
 * here so that the lowest layer's long loops (zeroing a large allocation) can stop too. */
extern volatile sig_atomic_t tb_interrupted;

/* The temporary file being written (a record, an --output, a cache entry), so that a second Ctrl-C,
 * which exits at once, leaves none behind: tb_tmpfile_drop unlinks it and is safe in a signal
 * handler. One at a time; NULL clears. */
void tb_tmpfile_set(const char *path);
void tb_tmpfile_drop(void);

/* 1 when the n bytes at s are well-formed UTF-8 (no overlong forms, no surrogates, at most U+10FFFF). */
int tb_utf8_valid(const char *s, size_t n);
/* A copy of s, UTF-8 as it is and each byte of an ill-formed sequence as the text \xNN, so a name
 * read from the file system is carried, never dropped (JSON strings must be UTF-8). Caller frees;
 * NULL on OOM. */
char *tb_utf8_escaped(const char *s);

/* Makes path and its missing parents (mode 0777 less the umask); *made, when given, gets how many
 * folders it created, so a caller can take them away again. 0, or -1 with errno set. */
int tb_mkdir_p(const char *path, int *made);

/* What a file of this st_mode is, for messages: "a FIFO", "a symbolic link", "a folder", ... */
const char *tb_file_kind(unsigned mode);

/* Human-readable byte count ("1.50 GiB"). */
void tb_format_bytes(double bytes, char *buf, size_t cap);

#endif
