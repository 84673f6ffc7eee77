/* Publishing a user-named output file: check, temporary file, sync, rename. */
#include "out_file.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

/* *mode gets the permissions the published file will have: the replaced file's, else the usual
 * ones for a new file under this umask. */
static int check(const char *flag, const char *path, mode_t *mode)
{
    if (!path || !*path)
        return tb_fail(TB_EXIT_USAGE, "%s: empty path", flag);
    struct stat st;
    if (lstat(path, &st) != 0) {
        if (errno != ENOENT)
            return tb_fail(TB_EXIT_USAGE, "%s %s: %s", flag, path, strerror(errno));
        mode_t mask = umask(0);
        umask(mask);
        *mode = 0666 & ~mask;
        return 0;
    }
    if (!S_ISREG(st.st_mode))
        return tb_fail(TB_EXIT_USAGE, "%s %s: %s; tokbench writes only regular files, replacing them whole", flag,
                       path, tb_file_kind(st.st_mode));
    if (st.st_uid != geteuid())
        return tb_fail(TB_EXIT_USAGE, "%s %s: owned by another user; tokbench replaces only its user's files", flag,
                       path);
    *mode = st.st_mode & 07777;
    return 0;
}

int tb_out_check(const char *flag, const char *path)
{
    mode_t mode;
    return check(flag, path, &mode);
}

int tb_out_open(tb_out_file *of, const char *flag, const char *path)
{
    memset(of, 0, sizeof *of);
    of->flag = flag;
    of->path = path;
    int rc = check(flag, path, &of->mode);
    if (rc)
        return rc;
    size_t len = strlen(path) + 16;
    if (!(of->tmp = malloc(len)))
        return tb_fail(TB_EXIT_RUNTIME, "out of memory");
    snprintf(of->tmp, len, "%s.tmp-XXXXXX", path);
    int fd = mkstemp(of->tmp);
    if (fd < 0 || !(of->f = fdopen(fd, "w"))) {
        int e = errno;
        if (fd >= 0) {
            close(fd);
            unlink(of->tmp);
        }
        free(of->tmp);
        of->tmp = NULL;
        return tb_fail(TB_EXIT_RUNTIME, "%s %s: cannot create it: %s", flag, path, strerror(e));
    }
    tb_tmpfile_set(of->tmp);
    return 0;
}

int tb_out_commit(tb_out_file *of)
{
    int bad = fflush(of->f) != 0 || fchmod(fileno(of->f), of->mode) != 0 || fsync(fileno(of->f)) != 0;
    int e = errno;
    bad |= fclose(of->f) != 0;
    of->f = NULL;
    if (!bad && rename(of->tmp, of->path) != 0) {
        bad = 1;
        e = errno;
    }
    if (bad) {
        unlink(of->tmp);
        tb_fail(TB_EXIT_RUNTIME, "%s %s: write failed: %s", of->flag, of->path, strerror(e));
    }
    tb_tmpfile_set(NULL);
    free(of->tmp);
    of->tmp = NULL;
    return bad ? TB_EXIT_RUNTIME : 0;
}

void tb_out_abort(tb_out_file *of)
{
    if (of->f)
        fclose(of->f);
    if (of->tmp) {
        unlink(of->tmp);
        tb_tmpfile_set(NULL);
        free(of->tmp);
    }
    memset(of, 0, sizeof *of);
}
