/*
 * cti_path.c - file-system helpers (see cti_path.h).
 */
#include "cti_path.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *cti_path_join(const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);
    char *p = malloc(a + b + 2);
    if (!p)
        return NULL;
    memcpy(p, dir, a);
    size_t n = a;
    if (n && p[n - 1] != '/')
        p[n++] = '/';
    memcpy(p + n, name, b + 1);
    return p;
}

cti_status cti_path_write_atomic(const char *dir, const char *name, const char *text)
{
    return cti_path_write_atomic_bytes(dir, name, text, strlen(text));
}

cti_status cti_path_write_atomic_bytes(const char *dir, const char *name,
                                       const void *bytes, size_t len)
{
    const char *text = bytes;
    char tmpname[64];
    snprintf(tmpname, sizeof tmpname, "%s.tmp", name);
    char *tmp = cti_path_join(dir, tmpname), *fin = cti_path_join(dir, name);
    cti_status rc = CTI_ENOMEM;
    if (!tmp || !fin)
        goto done;
    rc = CTI_EIO;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0)
        goto done;
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, text + off, len - off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        off += (size_t)w;
    }
    if (off < len || fsync(fd) < 0) {
        int e = errno;
        close(fd);
        unlink(tmp);
        errno = e;
        goto done;
    }
    if (close(fd) < 0 || rename(tmp, fin) < 0) {
        int e = errno;
        unlink(tmp);
        errno = e;
        goto done;
    }
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    rc = CTI_OK;
done:
    free(tmp);
    free(fin);
    return rc;
}

/* nftw() callback: remove one entry, children first (FTW_DEPTH). */
static int rm_entry(const char *p, const struct stat *sb, int flag,
                    struct FTW *ftw)
{
    (void)sb;
    (void)ftw;
    if (flag == FTW_DP || flag == FTW_D)
        return rmdir(p) < 0 && errno != ENOENT ? -1 : 0;
    return unlink(p) < 0 && errno != ENOENT ? -1 : 0;
}

cti_status cti_path_remove_tree(const char *path)
{
    struct stat sb;
    if (lstat(path, &sb) < 0)
        return errno == ENOENT ? CTI_OK : CTI_EIO;
    if (!S_ISDIR(sb.st_mode))
        return unlink(path) < 0 ? CTI_EIO : CTI_OK;
    return nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS) != 0 ? CTI_EIO : CTI_OK;
}
