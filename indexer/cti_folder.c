/*
 * cti_folder.c - the index folder: its writer lock, its stub (the list
 * of databases readers open), and the debris of interrupted runs.
 *
 * The stub only ever lists committed databases and is replaced by
 * rename(), so a reader opening the folder sees a whole index at every
 * moment.  Names the indexer creates are db.N (a main database), seg.N.M
 * (a bulk segment), tmp.* and XAPIANDB.tmp; one not listed in the stub
 * is debris and is removed by the next run.
 */
#include "cti_indexer_int.h"

#include "cti_path.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

char *cti_folder_path(const char *dir, const char *name)
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

cti_status cti_folder_sync_tree(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return CTI_EIO;
    cti_status rc = CTI_OK;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        int fd = openat(dirfd(d), de->d_name, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || fdatasync(fd) < 0)
            rc = CTI_EIO;
        if (fd >= 0)
            close(fd);
    }
    if (fsync(dirfd(d)) < 0)
        rc = CTI_EIO;
    int keep = errno;
    closedir(d);
    errno = keep;
    return rc;
}

/* fsync the folder 'path' itself (a rename in it is then durable). */
static void sync_dir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

int cti_folder_marked(const char *dir, const char *name)
{
    char *p = cti_folder_path(dir, name);
    int there = p && access(p, F_OK) == 0;
    free(p);
    return there;
}

cti_status cti_folder_mark(const char *dir, const char *name, int on)
{
    char *p = cti_folder_path(dir, name);
    cti_status st = CTI_OK;
    if (!p)
        return CTI_ENOMEM;
    if (on) {
        int fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0 || fsync(fd) < 0)
            st = CTI_EIO;
        if (fd >= 0)
            close(fd);
    } else if (unlink(p) < 0 && errno != ENOENT) {
        st = CTI_EIO;
    }
    free(p);
    if (st == CTI_OK)
        sync_dir(dir);
    return st;
}

/* mkdir -p 'path'; -1 with errno set on failure. */
static int make_dirs(const char *path)
{
    char *p = strdup(path);
    if (!p)
        return -1;
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0777) < 0 && errno != EEXIST) {
            free(p);
            return -1;
        }
        *s = '/';
    }
    int rc = mkdir(p, 0777) < 0 && errno != EEXIST ? -1 : 0;
    free(p);
    return rc;
}

/* Is 'name' something the indexer creates (db.*, seg.*, tmp.*)? */
static int ours(const char *name)
{
    return !strncmp(name, "db.", 3) || !strncmp(name, "seg.", 4) ||
           !strncmp(name, "tmp.", 4) || !strcmp(name, CTI_STUB_NAME ".tmp");
}

/* The generation number in "db.N" or "seg.N.M", or 0. */
static unsigned name_gen(const char *name)
{
    const char *p = strchr(name, '.');
    return p ? (unsigned)strtoul(p + 1, NULL, 10) : 0;
}

cti_status cti_folder_stub_write(cti_index *ix)
{
    char *tmp = cti_folder_path(ix->dir, CTI_STUB_NAME ".tmp");
    char *fin = cti_folder_path(ix->dir, CTI_STUB_NAME);
    cti_status rc = CTI_EIO;
    FILE *f = NULL;
    if (!tmp || !fin) {
        rc = CTI_ENOMEM;
        errno = ENOMEM;
        goto done;
    }
    f = fopen(tmp, "w");
    if (!f)
        goto done;
    if (ix->mainname)
        fprintf(f, "glass %s\n", ix->mainname);
    for (size_t i = 0; i < ix->nsegs; i++)
        fprintf(f, "glass %s\n", ix->segs[i]);
    if (fflush(f) != 0 || fsync(fileno(f)) < 0) {
        int keep = errno;
        fclose(f);
        errno = keep;
        goto done;
    }
    if (fclose(f) != 0)
        goto done;
    if (rename(tmp, fin) < 0)
        goto done;
    sync_dir(ix->dir);
    rc = CTI_OK;
done:
    if (rc != CTI_OK)
        cti_report_say(ix->rep, "%s: cannot write the index list: %s",
                       ix->dir, strerror(errno));
    free(tmp);
    free(fin);
    return rc;
}

/* Append 'name' (owned from now on) to the listed segments. */
cti_status cti_folder_add_seg(cti_index *ix, char *name)
{
    if (ix->nsegs == ix->capsegs) {
        size_t nc = ix->capsegs ? ix->capsegs * 2 : 16;
        char **ns = realloc(ix->segs, nc * sizeof *ns);
        if (!ns) {
            free(name);
            return CTI_ENOMEM;
        }
        ix->segs = ns;
        ix->capsegs = nc;
    }
    ix->segs[ix->nsegs++] = name;
    return CTI_OK;
}

/* Take one "glass NAME" line of the stub into mainname or segs. */
static cti_status stub_line(cti_index *ix, const char *line)
{
    char type[32], name[256];
    if (line[0] == '#' || line[0] == '\n')
        return CTI_OK;
    if (sscanf(line, "%31s %255s", type, name) != 2 || strchr(name, '/') ||
        (strncmp(name, "db.", 3) && strncmp(name, "seg.", 4)))
        return CTI_ECORRUPT;
    char *dup = strdup(name);
    if (!dup)
        return CTI_ENOMEM;
    cti_status st = CTI_OK;
    if (!ix->mainname && !strncmp(name, "db.", 3))
        ix->mainname = dup;
    else
        st = cti_folder_add_seg(ix, dup);
    if (name_gen(name) >= ix->gen)
        ix->gen = name_gen(name) + 1;
    return st;
}

cti_status cti_folder_stub_read(cti_index *ix, int *have)
{
    char line[512];
    cti_status st = CTI_OK;
    char *fin = cti_folder_path(ix->dir, CTI_STUB_NAME);
    *have = 0;
    if (!fin) {
        cti_report_say(ix->rep, "out of memory");
        return CTI_ENOMEM;
    }
    FILE *f = fopen(fin, "r");
    free(fin);
    if (!f && errno == ENOENT)
        return CTI_OK;
    if (!f) {
        cti_report_say(ix->rep, "cannot read index '%s': %s", ix->dir,
                       strerror(errno));
        return CTI_EIO;
    }
    while (st == CTI_OK && fgets(line, sizeof line, f))
        st = stub_line(ix, line);
    fclose(f);
    if (st == CTI_ENOMEM)
        cti_report_say(ix->rep, "out of memory");
    else if (st != CTI_OK)
        cti_report_say(ix->rep, "'%s' is not a cti index (bad %s)", ix->dir,
                       CTI_STUB_NAME);
    *have = st == CTI_OK;
    return st;
}

/* Is 'name' listed in the stub? */
static int listed(cti_index *ix, const char *name)
{
    if (ix->mainname && !strcmp(ix->mainname, name))
        return 1;
    for (size_t i = 0; i < ix->nsegs; i++)
        if (!strcmp(ix->segs[i], name))
            return 1;
    return 0;
}

cti_status cti_folder_scan(cti_index *ix, int have_stub)
{
    DIR *d = opendir(ix->dir);
    if (!d) {
        cti_report_say(ix->rep, "cannot open index '%s': %s", ix->dir,
                       strerror(errno));
        return CTI_EIO;
    }
    struct dirent *de;
    cti_status rc = CTI_OK;
    while ((de = readdir(d))) {
        const char *n = de->d_name;
        if (!strcmp(n, ".") || !strcmp(n, "..") || !strcmp(n, CTI_LOCK_NAME) ||
            !strcmp(n, CTI_STUB_NAME) || !strcmp(n, CTI_UNSETTLED_NAME))
            continue;
        if (ours(n)) {
            if (name_gen(n) >= ix->gen)
                ix->gen = name_gen(n) + 1;
            if (!listed(ix, n)) {
                char *p = cti_folder_path(ix->dir, n);
                if (p)
                    cti_path_remove_tree(p);
                free(p);
            }
            continue;
        }
        if (!have_stub) {
            cti_report_say(ix->rep, "'%s' is not a cti index (it holds '%s'); "
                           "give --db an empty or new folder", ix->dir, n);
            rc = CTI_EINVAL;
            break;
        }
    }
    closedir(d);
    if (ix->gen == 0)
        ix->gen = 1;
    return rc;
}

/*
 * Before anything is created in it: refuse an existing folder that has no
 * index list and holds something the indexer did not make.
 */
static cti_status refuse_foreign(cti_report *rep, const char *dir)
{
    char *stub = cti_folder_path(dir, CTI_STUB_NAME);
    struct stat sb;
    cti_status rc = CTI_OK;
    if (!stub || stat(stub, &sb) == 0) {
        free(stub);
        return stub ? CTI_OK : CTI_ENOMEM;
    }
    free(stub);
    DIR *d = opendir(dir);
    if (!d)
        return CTI_OK; /* missing: it will be created */
    struct dirent *de;
    while ((de = readdir(d))) {
        const char *n = de->d_name;
        if (!strcmp(n, ".") || !strcmp(n, "..") || !strcmp(n, CTI_LOCK_NAME) ||
            ours(n) || !strncmp(n, CTI_SHARD_PREFIX, strlen(CTI_SHARD_PREFIX)))
            continue;
        cti_report_say(rep, "'%s' is not a cti index (it holds '%s'); "
                       "give --db an empty or new folder", dir, n);
        rc = CTI_EINVAL;
        break;
    }
    closedir(d);
    return rc;
}

/* Take the writer lock of 'dir' into *fd (open, flock). */
static cti_status take_lock(cti_report *rep, const char *dir, int wait,
                            int quiet, int *fd)
{
    char *p = cti_folder_path(dir, CTI_LOCK_NAME);
    if (!p)
        return CTI_ENOMEM;
    *fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    free(p);
    if (*fd < 0) {
        cti_report_say(rep, "cannot open index '%s': %s", dir, strerror(errno));
        return CTI_EIO;
    }
    if (flock(*fd, LOCK_EX | LOCK_NB) == 0)
        return CTI_OK;
    if (errno != EWOULDBLOCK) {
        cti_report_say(rep, "cannot lock index '%s': %s", dir, strerror(errno));
        return CTI_EIO;
    }
    if (!wait) {
        cti_report_say(rep, "index '%s' is being written by another cti-index "
                       "(use --wait to wait for it)", dir);
        return CTI_ELOCKED;
    }
    if (!quiet)
        cti_report_say(rep, "waiting for another cti-index writing '%s'", dir);
    while (flock(*fd, LOCK_EX) < 0) {
        if (errno != EINTR) {
            cti_report_say(rep, "cannot lock index '%s': %s", dir,
                           strerror(errno));
            return CTI_EIO;
        }
    }
    rep->t0 = cti_report_now(); /* the clock starts once the lock is ours */
    return CTI_OK;
}

cti_status cti_folder_claim(cti_report *rep, const char *dir, int wait,
                            int quiet, int *lockfd)
{
    struct stat sb;
    cti_status st;
    if (stat(dir, &sb) == 0 && !S_ISDIR(sb.st_mode)) {
        cti_report_say(rep, "'%s' is not a folder (an index is a folder)", dir);
        return CTI_EINVAL;
    }
    if ((st = refuse_foreign(rep, dir)) != CTI_OK)
        return st;
    if (make_dirs(dir) < 0) {
        cti_report_say(rep, "cannot create index '%s': %s", dir,
                       strerror(errno));
        return CTI_EIO;
    }
    return take_lock(rep, dir, wait, quiet, lockfd);
}

int cti_folder_full(const char *dir)
{
    struct statvfs vs;
    if (statvfs(dir, &vs) < 0)
        return 0;
    return (uint64_t)vs.f_bavail * vs.f_frsize < CTI_FOLDER_FULL_BYTES;
}
