/*
 * cti_source.c - the walk over one PATH given to cti-index: folders, the
 * messages, the public calls of cti_source.h.  Each regular file goes to
 * cti_file.c, and its content to cti_content.c (cti_source_int.h).
 *
 *   A folder is walked recursively in byte order of the names, so the
 *   order is the same on every run.  Entries whose name starts with "."
 *   (.git, .cti, .DS_Store...) are skipped silently.  Symbolic links are
 *   followed, to files and to folders, but every folder (by device and
 *   inode) is walked once per walk, so a symlink loop or a second link
 *   to the same folder is skipped with a notice.  Folders nested deeper
 *   than max_depth (default 256) are skipped with a message.
 *
 * What is skipped here, with a message through cb->problem
 *   - sockets, FIFOs and devices met in a folder (skipped = 2);
 *   - entries that vanish during the walk, broken symbolic links and
 *     symbolic link loops (2), or that cannot be looked at (1; the walk
 *     goes on).
 *
 * Incremental indexing
 *   cb->walked_dir(dir) is called after a folder's walk only when every
 *   entry below it was seen: not after a read error, an unreadable
 *   subfolder or a depth cut, so the indexer never removes articles it
 *   merely could not look at.
 *
 * Speed: no realpath() except for symlinks.
 */
#include "cti_source_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_MAX_FILE ((size_t)1 << 30)
#define DEFAULT_MAX_INFLATE ((size_t)1 << 30)
#define DEFAULT_MAX_DEPTH 256u
#define SNIFF_BYTES 8192

/* ------------------------------------------------------------ messages */

void cti_source_report(cti_walker *w, const char *path, unsigned long line,
                       int skipped, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    if (skipped == CTI_SOURCE_FAILED)
        w->failed++;
    if (w->measure || !w->cb->problem)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (skipped == CTI_SOURCE_PASSED && w->cur_id && w->cb->passed)
        w->cb->passed(w->ctx, path, msg, w->cur_id, w->cur_st);
    else
        w->cb->problem(w->ctx, path, line, msg, skipped);
}

/* -------------------------------------------------------- binary data */

int cti_source_is_binary(const char *data, size_t len)
{
    static const struct { const char *sig; size_t len; } sigs[] = {
        { "%PDF-", 5 }, { "PK\x03\x04", 4 }, { "\x89PNG", 4 }, { "GIF8", 4 },
        { "\xff\xd8\xff", 3 }, { "\x7f" "ELF", 4 }, { "\x1f\x8b", 2 },
        { "BZh", 3 }, { "\xfd" "7zXZ", 5 }, { "7z\xbc\xaf", 4 },
        { "Rar!", 4 }, { "\x28\xb5\x2f\xfd", 4 }, { "SQLite format 3", 15 },
        { "\xd0\xcf\x11\xe0", 4 }, { "OggS", 4 }, { "ID3", 3 },
        { "\x00\x00\x01\xba", 4 },
    };
    const unsigned char *p = (const unsigned char *)data;
    if (!data)
        return 0;
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
        if (len >= sigs[i].len && memcmp(data, sigs[i].sig, sigs[i].len) == 0)
            return 1;
    if (len > SNIFF_BYTES)
        len = SNIFF_BYTES;
    if (memchr(data, 0, len))
        return 1;
    /* Control bytes that text does use: \b \t \n \v \f \r and ESC. */
    const uint32_t text_ctl = 0x3f00u | (1u << 27);
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    size_t ctl = 0, i = 0;
    while (i < len) {
        if (i + 8 <= len) {
            /* Skip eight bytes at once when none is below 0x20 or 0x7f. */
            uint64_t x, y;
            memcpy(&x, p + i, 8);
            y = x ^ (0x7f * ones);
            if (!(((x - 0x20 * ones) & ~x & highs) | ((y - ones) & ~y & highs))) {
                i += 8;
                continue;
            }
        }
        unsigned c = p[i++];
        ctl += (c < 0x20 && !((text_ctl >> c) & 1)) | (c == 0x7f);
    }
    return len > 0 && ctl * 10 > len; /* more than 10% control bytes */
}

/* ------------------------------------------------------------- folders */

static size_t key_hash(cti_dirkey k)
{
    uint64_t h = (uint64_t)k.dev * 0x9E3779B97F4A7C15ull ^ (uint64_t)k.ino;
    h ^= h >> 31;
    h *= 0xff51afd7ed558ccdull;
    return (size_t)(h ^ (h >> 29));
}

/* Add the folder to the set; 1 if it was there already, -1 no memory. */
static int seen_add(cti_walker *w, dev_t dev, ino_t ino)
{
    cti_dirkey k = { dev, ino };
    if (2 * (w->nseen + 1) > w->seencap) {
        size_t ncap = w->seencap ? w->seencap * 2 : 64;
        cti_dirkey *n = calloc(ncap, sizeof *n);
        if (!n)
            return -1;
        /* Empty slots have ino 0 and dev 0: a real folder never has both. */
        for (size_t i = 0; i < w->seencap; i++) {
            cti_dirkey o = w->seen[i];
            if (o.dev == 0 && o.ino == 0)
                continue;
            size_t j = key_hash(o) & (ncap - 1);
            while (n[j].dev || n[j].ino)
                j = (j + 1) & (ncap - 1);
            n[j] = o;
        }
        free(w->seen);
        w->seen = n;
        w->seencap = ncap;
    }
    size_t j = key_hash(k) & (w->seencap - 1);
    while (w->seen[j].dev || w->seen[j].ino) {
        if (w->seen[j].dev == dev && w->seen[j].ino == ino)
            return 1;
        j = (j + 1) & (w->seencap - 1);
    }
    w->seen[j] = k;
    w->nseen++;
    return 0;
}

typedef struct entry {
    char *name;
    unsigned char type; /* d_type */
} entry;

static int cmp_entries(const void *a, const void *b)
{
    return strcmp(((const entry *)a)->name, ((const entry *)b)->name);
}

static char *join(const char *dir, const char *name)
{
    size_t dl = strlen(dir), nl = strlen(name);
    int slash = dl > 0 && dir[dl - 1] == '/';
    char *s = malloc(dl + nl + 2);
    if (!s)
        return NULL;
    memcpy(s, dir, dl);
    if (!slash)
        s[dl++] = '/';
    memcpy(s + dl, name, nl + 1);
    return s;
}

static int walk_dir(cti_walker *w, int fd, const char *display,
                    const char *real, unsigned depth);

/* One folder entry.  Returns CTI_WALK_SEEN or CTI_WALK_UNSEEN. */
static int do_entry(cti_walker *w, int dirfd, const char *name,
                    unsigned char dtype, const char *display_dir,
                    const char *real_dir, unsigned depth)
{
    struct stat st;
    int res = CTI_WALK_SEEN;
    char *display = join(display_dir, name);
    char *real = NULL;
    if (!display) {
        w->nomem = 1;
        return CTI_WALK_UNSEEN;
    }
    int is_link = dtype == DT_LNK;
    if (dtype == DT_UNKNOWN) {
        if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
            is_link = S_ISLNK(st.st_mode);
    }
    if (fstatat(dirfd, name, &st, 0) != 0) {
        int e = errno;
        if (e == ENOENT && is_link)
            cti_source_report(w, display, 0, CTI_SOURCE_PASSED,
                              "broken symbolic link, skipped");
        else if (e == ENOENT)
            cti_source_report(w, display, 0, CTI_SOURCE_PASSED,
                              "vanished during the walk");
        else if (e == ELOOP)
            cti_source_report(w, display, 0, CTI_SOURCE_PASSED,
                              "symbolic link loop, skipped");
        else
            cti_source_report(w, display, 0, CTI_SOURCE_FAILED,
                              "cannot stat: %s", strerror(e));
        res = e == ENOENT || e == ELOOP ? CTI_WALK_SEEN : CTI_WALK_UNSEEN;
        goto done;
    }
    if (is_link) {
        char *link = join(real_dir, name);
        real = link ? realpath(link, NULL) : NULL;
        free(link);
        if (!real) {
            cti_source_report(w, display, 0, CTI_SOURCE_FAILED,
                              "cannot resolve: %s", strerror(errno));
            res = CTI_WALK_UNSEEN;
            goto done;
        }
    } else if (!(real = join(real_dir, name))) {
        w->nomem = 1;
        res = CTI_WALK_UNSEEN;
        goto done;
    }
    if (S_ISDIR(st.st_mode)) {
        if (depth + 1 > w->max_depth) {
            cti_source_report(w, display, 0, CTI_SOURCE_FAILED,
                              "folder nested deeper than %u levels, skipped",
                              w->max_depth);
            res = CTI_WALK_UNSEEN;
            goto done;
        }
        int s = seen_add(w, st.st_dev, st.st_ino);
        if (s < 0) {
            w->nomem = 1;
            res = CTI_WALK_UNSEEN;
        } else if (s == 1) {
            cti_source_report(
                w, display, 0, CTI_SOURCE_PASSED,
                is_link ? "symbolic link to a folder already walked, skipped"
                        : "folder already walked, skipped");
        } else {
            int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            if (fd < 0) {
                int e = errno;
                cti_source_report(
                    w, display, 0,
                    e == ENOENT ? CTI_SOURCE_PASSED : CTI_SOURCE_FAILED,
                    "cannot open folder: %s", strerror(e));
                res = e == ENOENT ? CTI_WALK_SEEN : CTI_WALK_UNSEEN;
            } else {
                res = walk_dir(w, fd, display, real, depth + 1);
            }
        }
    } else if (S_ISREG(st.st_mode)) {
        res = cti_file_visit(w, dirfd, name, display, real, &st);
    } else {
        cti_source_report(w, display, 0, CTI_SOURCE_PASSED,
                          "not a regular file, skipped");
    }
done:
    free(display);
    free(real);
    return res;
}

/*
 * Walk the open folder 'fd' (closed here): entries sorted by name, hidden
 * ones skipped.  'display' names it in messages, 'real' is its real path.
 * Calls walked_dir when every entry below was seen.  Returns
 * CTI_WALK_SEEN or CTI_WALK_UNSEEN.
 */
static int walk_dir(cti_walker *w, int fd, const char *display,
                    const char *real, unsigned depth)
{
    DIR *d = fdopendir(fd);
    entry *ents = NULL;
    size_t n = 0, cap = 0;
    int res = CTI_WALK_SEEN;

    if (!d) {
        cti_source_report(w, display, 0, CTI_SOURCE_FAILED,
                          "cannot read folder: %s", strerror(errno));
        close(fd);
        return CTI_WALK_UNSEEN;
    }
    struct dirent *e;
    errno = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 64;
            entry *ne = realloc(ents, nc * sizeof *ne);
            if (!ne) {
                w->nomem = 1;
                res = CTI_WALK_UNSEEN;
                goto done;
            }
            ents = ne;
            cap = nc;
        }
        if (!(ents[n].name = strdup(e->d_name))) {
            w->nomem = 1;
            res = CTI_WALK_UNSEEN;
            goto done;
        }
        ents[n++].type = e->d_type;
        errno = 0;
    }
    if (errno) {
        cti_source_report(w, display, 0, CTI_SOURCE_FAILED,
                          "cannot read folder: %s", strerror(errno));
        res = CTI_WALK_UNSEEN;
        goto done;
    }
    if (n > 1)
        qsort(ents, n, sizeof *ents, cmp_entries);
    for (size_t i = 0; i < n && !w->stop && !w->nomem; i++)
        if (do_entry(w, dirfd(d), ents[i].name, ents[i].type, display, real,
                     depth) != CTI_WALK_SEEN)
            res = CTI_WALK_UNSEEN;
    if (w->stop || w->nomem)
        res = CTI_WALK_UNSEEN;
    if (res == CTI_WALK_SEEN && w->cb->walked_dir && !w->measure) {
        char *slash = join(real, "");
        if (!slash) {
            w->nomem = 1;
            res = CTI_WALK_UNSEEN;
        } else {
            w->cb->walked_dir(w->ctx, slash);
            free(slash);
        }
    }
done:
    for (size_t i = 0; i < n; i++)
        free(ents[i].name);
    free(ents);
    closedir(d);
    return res;
}

/* ---------------------------------------------------------------- walk */

/* cti_source_walk(), or with 'measure' cti_source_measure(). */
static int walk(const char *path, const cti_source_opts *opts,
                const cti_source_cb *cb, void *ctx, uint64_t *measure)
{
    cti_walker w;
    struct stat st;
    int rc = 0;
    char *real = NULL;

    memset(&w, 0, sizeof w);
    w.max_file = opts && opts->max_file_bytes ? opts->max_file_bytes
                                              : DEFAULT_MAX_FILE;
    w.max_inflate = opts && opts->max_inflate ? opts->max_inflate
                                              : DEFAULT_MAX_INFLATE;
    w.max_depth = opts && opts->max_depth ? opts->max_depth : DEFAULT_MAX_DEPTH;
    if (opts) {
        w.date_order = opts->date_order;
        w.fields = opts->fields;
        w.source = opts->source && opts->source[0] ? opts->source : NULL;
    }
    w.cb = cb;
    w.ctx = ctx;
    w.measure = measure;

    if (strcmp(path, "-") == 0) {
        if (measure)
            rc = -1; /* standard input: its size is not known */
        else
            cti_file_stream(&w, STDIN_FILENO, "<stdin>");
        goto done;
    }
    if (stat(path, &st) != 0) {
        cti_source_report(&w, path, 0, CTI_SOURCE_FAILED,
                          "cannot read: %s", strerror(errno));
        rc = -1;
        goto done;
    }
    if (!(real = realpath(path, NULL))) {
        cti_source_report(&w, path, 0, CTI_SOURCE_FAILED,
                          "cannot resolve: %s", strerror(errno));
        rc = -1;
        goto done;
    }
    if (S_ISDIR(st.st_mode)) {
        int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) {
            cti_source_report(&w, path, 0, CTI_SOURCE_FAILED,
                              "cannot open folder: %s", strerror(errno));
            rc = -1;
            goto done;
        }
        if (seen_add(&w, st.st_dev, st.st_ino) < 0) {
            close(fd);
            w.nomem = 1;
        } else {
            walk_dir(&w, fd, path, real, 0);
        }
    } else if (S_ISREG(st.st_mode)) {
        /* The name as given decides the kind. */
        int res = cti_file_visit(&w, AT_FDCWD, path, path, real, &st);
        if (res == CTI_WALK_UNSEEN && !w.stop && !w.nomem)
            rc = -1;
    } else {
        cti_source_report(&w, path, 0, CTI_SOURCE_FAILED,
                          "not a regular file or a folder");
        rc = -1;
    }
    if (w.nomem) {
        cti_source_report(&w, path, 0, CTI_SOURCE_FAILED, "out of memory");
        rc = -1;
    }
done:
    if (w.stop)
        rc = w.stop;
    free(real);
    free(w.buf);
    free(w.zbuf);
    free(w.conv);
    free(w.seen);
    return rc;
}

int cti_source_walk(const char *path, const cti_source_opts *opts,
                    const cti_source_cb *cb, void *ctx)
{
    return walk(path, opts, cb, ctx, NULL);
}

int cti_source_measure(const char *path, const cti_source_opts *opts,
                       uint64_t *bytes)
{
    static const cti_source_cb none;
    *bytes = 0;
    int rc = walk(path, opts, &none, NULL, bytes);
    if (rc != 0)
        *bytes = 0;
    return rc ? -1 : 0;
}
