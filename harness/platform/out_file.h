/* Files that tokbench writes under a name the user chose (--output, -o). The rule: only a regular
 * file this user owns is ever replaced, and only whole: the new content goes to a temporary file
 * in the same folder, is flushed to disk, takes the old file's permissions, and is renamed over
 * the name. A device, FIFO, socket, folder or symbolic link at the name is refused (exit 2), never
 * written through or replaced: /dev/null given as --output once became a 0600 regular file. */
#ifndef TB_OUT_FILE_H
#define TB_OUT_FILE_H

#include <stdio.h>
#include <sys/types.h>

typedef struct tb_out_file {
    const char *flag, *path;
    char *tmp;
    FILE *f;
    mode_t mode;
} tb_out_file;

/* What tb_out_open checks, alone: for commands to refuse a bad name before they measure or read
 * anything. 0, or TB_EXIT_USAGE after one line naming the flag and the path. */
int tb_out_check(const char *flag, const char *path);

/* Checks path, then opens the temporary file beside it (of->f). 0 or an exit code after one line. */
int tb_out_open(tb_out_file *of, const char *flag, const char *path);

/* Flushes, syncs and renames the temporary file over path; on any failure removes it and returns
 * TB_EXIT_RUNTIME after one line. The struct is released either way. */
int tb_out_commit(tb_out_file *of);

/* Removes the temporary file and releases the struct (a failed write). */
void tb_out_abort(tb_out_file *of);

#endif
