/* Shared error, allocation and parsing helpers (see util.h for the error convention). */
#include "util.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <signal.h>
#include <strings.h>

#undef tb_fail /* util.h's stand-in for the static analyzer: here is the function itself */

static int quiet_warnings;

void tb_set_quiet(int quiet) { quiet_warnings = quiet; }

/* The one printer of tokbench's stderr lines: "tokbench: " + prefix + message. */
static void say(const char *prefix, const char *fmt, va_list ap)
{
    fputs("tokbench: ", stderr);
    fputs(prefix, stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

int tb_fail(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    say("", fmt, ap);
    va_end(ap);
    return code;
}

void tb_warn(const char *fmt, ...)
{
    if (quiet_warnings)
        return;
    va_list ap;
    va_start(ap, fmt);
    say("warning: ", fmt, ap);
    va_end(ap);
}

void tb_vnote(const char *fmt, va_list ap)
{
    if (!quiet_warnings)
        say("note: ", fmt, ap);
}

void tb_note(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tb_vnote(fmt, ap);
    va_end(ap);
}

void *tb_grow(void *items, size_t *cap, size_t need, size_t size)
{
    if (items && need <= *cap)
        return items;
    size_t c = items && *cap ? *cap : 16; /* an empty array gets room too: NULL means failure */
    while (c < need && c <= SIZE_MAX / 2)
        c *= 2;
    if (c < need || size == 0 || c > SIZE_MAX / size)
        return NULL;
    void *q = realloc(items, c * size);
    if (q)
        *cap = c;
    return q;
}

/* Buffers of HUGE_MIN bytes and more (weights, KV caches, cold copies, probe arrays) start on a
 * 2 MiB boundary and are advised for transparent huge pages: a stream then crosses a page boundary,
 * where the hardware prefetchers stop and a page walk is due, every 2 MiB instead of every 4 KiB.
 * Kernels and the probes they are graded against get the same pages. Where THP is off the advice
 * is void and only speed differs; the record keeps the system's THP mode. */
#define HUGE_ALIGN ((size_t)2 << 20)
#define HUGE_MIN ((size_t)4 << 20)

void *tb_alloc_untouched(size_t bytes, const char *what)
{
    void *p = NULL;
    size_t rounded = (bytes + 63) / 64 * 64;
    size_t align = bytes >= HUGE_MIN ? HUGE_ALIGN : 64;
    if (rounded < bytes || posix_memalign(&p, align, rounded ? rounded : 64) != 0) {
        char h[32];
        tb_format_bytes((double)bytes, h, sizeof h);
        tb_fail(TB_EXIT_RUNTIME, "out of memory allocating %s for %s", h, what);
        return NULL;
    }
#ifdef MADV_HUGEPAGE
    if (bytes >= HUGE_MIN)
        madvise(p, rounded, MADV_HUGEPAGE);
#endif
    return p;
}

volatile sig_atomic_t tb_interrupted;

/* Zeroing touches every page, seconds for gigabytes on a VM: it goes in slices, and a signal in
 * between ends it (NULL, no message: the caller unwinds and the command saves what it measured). */
#define ZERO_SLICE (64u << 20)

void *tb_alloc(size_t bytes, const char *what)
{
    char *p = tb_alloc_untouched(bytes, what);
    size_t n = (bytes + 63) / 64 * 64;
    for (size_t off = 0; p && off < n; off += ZERO_SLICE) {
        if (tb_interrupted) {
            free(p);
            return NULL;
        }
        memset(p + off, 0, n - off < ZERO_SLICE ? n - off : ZERO_SLICE);
    }
    return p;
}

void tb_free(void *p) { free(p); }

void tb_free_each(void *const *bufs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        tb_free(bufs[i]);
}

int tb_parse_bytes(const char *s, uint64_t *out)
{
    if (!s)
        return -1;
    size_t d = 0;
    while (s[d] >= '0' && s[d] <= '9')
        d++;
    char num[32];
    if (d == 0 || d >= sizeof num)
        return -1;
    memcpy(num, s, d);
    num[d] = '\0';
    uint64_t v, unit;
    const char *u = s + d;
    if (*u == '\0')
        unit = 1;
    else if (strcasecmp(u, "KiB") == 0)
        unit = 1ull << 10;
    else if (strcasecmp(u, "MiB") == 0)
        unit = 1ull << 20;
    else if (strcasecmp(u, "GiB") == 0)
        unit = 1ull << 30;
    else
        return -1;
    if (tb_parse_u64(num, &v) != 0 || tb_mul_u64(v, unit, out) != 0)
        return -1;
    return 0;
}

int tb_parse_u64(const char *s, uint64_t *out)
{
    if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
        return -1;
    errno = 0;
    char *end = NULL;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

int tb_parse_int_list(const char *s, int64_t lo, int64_t hi, int64_t *out, int cap, int *n)
{
    *n = 0;
    if (!s || !*s || *s == ',' || s[strlen(s) - 1] == ',' || strstr(s, ",,"))
        return TB_LIST_EMPTY_ITEM;
    for (const char *p = s;; p++) {
        const char *digits = p;
        uint64_t v = 0;
        for (; *p >= '0' && *p <= '9'; p++) {
            if (v > ((uint64_t)INT64_MAX - (uint64_t)(*p - '0')) / 10)
                return TB_LIST_BAD_ITEM; /* past any range: the value would not fit */
            v = v * 10 + (uint64_t)(*p - '0');
        }
        if (p == digits || (*p != ',' && *p != '\0') || (int64_t)v < lo || (int64_t)v > hi)
            return TB_LIST_BAD_ITEM;
        if (*n == cap)
            return TB_LIST_TOO_MANY;
        out[(*n)++] = (int64_t)v;
        if (*p == '\0')
            return TB_LIST_OK;
    }
}

int tb_parse_int(const char *s, int lo, int hi, int *out)
{
    if (!s || !*s || *s == ' ')
        return -1;
    errno = 0;
    char *end = NULL;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < lo || v > hi)
        return -1;
    *out = (int)v;
    return 0;
}

int tb_parse_double(const char *s, double *out)
{
    /* decimal only: strtod would also take hex ("0x10" = 16), "inf", "nan" and leading blanks */
    if (!s || !*s || strspn(s, "0123456789.eE+-") != strlen(s))
        return -1;
    errno = 0;
    char *end = NULL;
    double v = strtod(s, &end);
    if (errno || *end || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

int tb_mul_u64(uint64_t a, uint64_t b, uint64_t *out)
{
    if (a && b > UINT64_MAX / a)
        return -1;
    *out = a * b;
    return 0;
}

int tb_read_small_file(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, cap - 1, f);
    fclose(f);
    buf[n] = '\0';
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
        buf[--n] = '\0';
    return 0;
}

void tb_format_bytes(double bytes, char *buf, size_t cap)
{
    static const char *unit[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (bytes >= 1024.0 && u < 4) {
        bytes /= 1024.0;
        u++;
    }
    snprintf(buf, cap, u ? "%.2f %s" : "%.0f %s", bytes, unit[u]);
}

/* Length of the well-formed UTF-8 sequence at s (at most n bytes), 0 when it is ill-formed. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    if (s[0] < 0x80)
        return 1;
    size_t len = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
    if (len == 0 || s[0] > 0xf4 || len > n)
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    /* the second byte's range rules out overlong forms, surrogates and code points past U+10FFFF */
    if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f) || (s[0] == 0xf0 && s[1] < 0x90) ||
        (s[0] == 0xf4 && s[1] > 0x8f))
        return 0;
    return len;
}

int tb_utf8_valid(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        size_t l = utf8_seq(u + i, n - i);
        if (!l)
            return 0;
        i += l;
    }
    return 1;
}

char *tb_utf8_escaped(const char *s)
{
    size_t n = strlen(s);
    char *out = malloc(4 * n + 1), *o = out;
    if (!out)
        return NULL;
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        size_t l = utf8_seq(u + i, n - i);
        if (l) {
            memcpy(o, u + i, l);
            o += l;
            i += l;
        } else {
            o += sprintf(o, "\\x%02x", u[i]);
            i++;
        }
    }
    *o = '\0';
    return out;
}

static char tmpfile_path[4200];
static volatile sig_atomic_t tmpfile_live;

void tb_tmpfile_set(const char *path)
{
    tmpfile_live = 0;
    if (path && snprintf(tmpfile_path, sizeof tmpfile_path, "%s", path) < (int)sizeof tmpfile_path)
        tmpfile_live = 1;
}

void tb_tmpfile_drop(void)
{
    if (tmpfile_live)
        unlink(tmpfile_path); /* async-signal-safe, as is everything here */
}

int tb_mkdir_p(const char *path, int *made)
{
    char buf[4096];
    if (made)
        *made = 0;
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
        return -1;
    /* A concurrent tokbench may remove an empty folder it made (tb_record_prepare) between two
     * of our mkdir calls: ENOENT then means start again from the top, a few times. */
    for (int attempt = 0; attempt < 8; attempt++) {
        int again = 0;
        if (made)
            *made = 0;
        for (char *p = buf + 1;; p++) {
            if (*p != '/' && *p != '\0')
                continue;
            char c = *p;
            *p = '\0';
            int ok = mkdir(buf, 0777) == 0, e = errno;
            *p = c;
            if (ok) {
                if (made)
                    (*made)++;
            } else if (e == ENOENT && attempt < 7) {
                again = 1;
                break;
            } else if (e != EEXIST) {
                errno = e;
                return -1;
            }
            if (c == '\0')
                return 0;
        }
        if (!again)
            return 0;
    }
    return -1;
}


const char *tb_file_kind(unsigned mode)
{
    return S_ISLNK(mode)    ? "a symbolic link"
           : S_ISCHR(mode)  ? "a character device"
           : S_ISBLK(mode)  ? "a block device"
           : S_ISFIFO(mode) ? "a FIFO"
           : S_ISSOCK(mode) ? "a socket"
           : S_ISDIR(mode)  ? "a folder"
           : S_ISREG(mode)  ? "a regular file"
                            : "not a regular file";
}
