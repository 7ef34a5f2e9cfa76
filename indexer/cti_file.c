/*
 * cti_file.c - one regular file met by the walk (cti_source.c): its kind
 * by name, opened, read whole or as a stream, .gz inflated; its content
 * then goes to cti_content.c.
 *
 * What is read (the kind comes from the name, without a ".gz")
 *   - A text file is one article (see cti_article.c for its title and
 *     front matter).  Its id is its real path (symlinks and "." / ".."
 *     resolved), so ids do not depend on the current directory.  A text
 *     file that starts like a web page (cti_html_sniff(): a cheap look
 *     at its first bytes) is read as one.
 *   - "*.html", "*.htm", "*.xhtml", "*.shtml": a web page, one article
 *     (cti_html.c); its id is its real path, like a text file's.
 *   - "*.csv", "*.tsv", "*.tab": one article per row (cti_csv.c);
 *     "*.json": one article, a list, or a wrapped list (cti_json.c).
 *     Their records name their fields (cti_fields.c, --field); a record
 *     without an id gets the file's id, '#' and its content hash.
 *   - "NAME.gz" is inflated and then read as NAME would be: "a.txt.gz" is
 *     a text article (id: the real path of the .gz file), "a.jsonl.gz" is
 *     JSON lines.  It may hold several gzip members (as "cat a.gz b.gz"
 *     makes).  It is inflated completely before anything of it is
 *     indexed: past max_inflate bytes (default 1 GiB) it is refused with
 *     a message and nothing of it is indexed (a gzip bomb); a file that is
 *     not gzip data, or is cut short or corrupt, is refused with a message
 *     naming the file.
 *   - "*.jsonl" and "*.ndjson" files (also met in a folder) hold one JSON
 *     article per line; blank lines are skipped; a bad line is reported
 *     with its line number and column and the other lines are still read.
 *     "-" reads JSON lines from standard input ("<stdin>" in messages),
 *     as a stream.
 *
 * What is skipped here, with a message through cb->problem
 *   - files whose extension marks them as not text: images, audio, video,
 *     PDF and office documents, archives other than .gz (zip, tar, .tgz,
 *     bz2, xz, 7z...), fonts, executables and object files, databases;
 *     they are not even opened (skipped = 2);
 *   - files larger than max_file_bytes (default 1 GiB) (1);
 *   - files that vanish during the walk (2), or cannot be opened or read
 *     (1; the walk goes on).
 *
 * For a text file or a web page, cb->want_file gets its id and stat()
 * before anything is opened; when it says 0 the file is not read.  JSON
 * lines, JSON and CSV files are always read (their articles carry their
 * own ids; the indexer compares content hashes).  cb->walked_file says
 * after each collection file (JSON lines, JSON, CSV) whether every record
 * of it was read without an error: only then may records gone from it be
 * removed (a file passed over as binary data is not read).
 *
 * Speed: one read() per file into a buffer reused across files, openat()
 * relative to the open folder.
 */
#include "cti_source_int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <zlib.h>

#define STREAM_CHUNK ((size_t)1 << 20)

/* Grow *buf to at least 'need' bytes (keeping its contents). */
static int reserve(char **buf, size_t *cap, size_t need)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap : 65536;
    while (n < need)
        n = n > SIZE_MAX / 2 ? need : n * 2;
    char *b = realloc(*buf, n);
    if (!b)
        return -1;
    *buf = b;
    *cap = n;
    return 0;
}

static int ends_with(const char *s, size_t n, const char *suf)
{
    size_t l = strlen(suf);
    return n >= l && strncasecmp(s + n - l, suf, l) == 0;
}

/* What a file name says it holds; *gz set for a ".gz" name (then the
   kind is that of the name without ".gz"). */
static cti_kind classify(const char *name, int *gz)
{
    static const char *const skip[] = {
        /* images */ ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif",
        ".tiff", ".webp", ".ico", ".heic", ".heif", ".psd", ".raw", ".cr2",
        ".nef", ".avif",
        /* documents */ ".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt",
        ".pptx", ".odt", ".ods", ".odp", ".epub", ".mobi", ".djvu", ".ps",
        /* archives */ ".zip", ".tar", ".tgz", ".tbz", ".tbz2", ".txz",
        ".bz2", ".xz", ".lz", ".lzma", ".lz4", ".zst", ".7z", ".rar",
        ".cab", ".iso", ".dmg", ".deb", ".rpm", ".jar", ".apk", ".z",
        /* audio, video */ ".mp3", ".mp4", ".m4a", ".m4v", ".wav", ".flac",
        ".ogg", ".oga", ".opus", ".aac", ".avi", ".mkv", ".mov", ".webm",
        ".wmv", ".flv", ".mpg", ".mpeg",
        /* fonts */ ".ttf", ".otf", ".woff", ".woff2", ".eot",
        /* programs, objects, data */ ".exe", ".dll", ".so", ".dylib", ".o",
        ".a", ".obj", ".class", ".pyc", ".pyo", ".wasm", ".bin", ".dat",
        ".db", ".sqlite", ".sqlite3", ".mdb", ".parquet", ".pickle", ".pkl",
        ".npy", ".npz", ".glass",
    };
    size_t n = strlen(name);
    *gz = 0;
    if (ends_with(name, n, ".gz")) {
        *gz = 1;
        n -= 3;
        if (ends_with(name, n, ".tar"))
            return CTI_KIND_SKIP;
    }
    if (ends_with(name, n, ".jsonl") || ends_with(name, n, ".ndjson"))
        return CTI_KIND_JSONL;
    if (ends_with(name, n, ".json"))
        return CTI_KIND_JSON;
    if (ends_with(name, n, ".csv"))
        return CTI_KIND_CSV;
    if (ends_with(name, n, ".tsv") || ends_with(name, n, ".tab"))
        return CTI_KIND_TSV;
    if (ends_with(name, n, ".html") || ends_with(name, n, ".htm") ||
        ends_with(name, n, ".xhtml") || ends_with(name, n, ".shtml"))
        return CTI_KIND_HTML;
    if (*gz)
        return CTI_KIND_TEXT;
    /* The extension: from the last '.' of the last path component. */
    const char *ext = NULL;
    for (size_t i = n; i > 0 && name[i - 1] != '/'; i--)
        if (name[i - 1] == '.') {
            ext = name + i - 1;
            break;
        }
    if (!ext || n - (size_t)(ext - name) > 8)
        return CTI_KIND_TEXT;
    for (size_t i = 0; i < sizeof skip / sizeof *skip; i++)
        if (strcasecmp(ext, skip[i]) == 0)
            return CTI_KIND_SKIP;
    return CTI_KIND_TEXT;
}


/* Read fd to its end into *buf (capacity *cap), expecting about 'hint'
   bytes.  Returns 0 with *len set, -1 on a read error (errno), -2 when
   there is more than 'limit' bytes, -3 on no memory. */
static int read_fd(int fd, char **buf, size_t *cap, size_t hint, size_t limit,
                   size_t *len)
{
    size_t n = 0;
    size_t want = (hint < limit ? hint : limit) + 1;
    if (reserve(buf, cap, want < 4096 ? 4096 : want))
        return -3;
    for (;;) {
        if (n == *cap) {
            if (n > limit)
                return -2;
            if (reserve(buf, cap, n + 1))
                return -3;
        }
        ssize_t r = read(fd, *buf + n, *cap - n);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (r == 0)
            break;
        n += (size_t)r;
        if (n > limit)
            return -2;
    }
    *len = n;
    return 0;
}

/*
 * Inflate gzip data (in, inlen; one or more members) into w->buf.
 * Returns 0 with *outlen, -1 for data that is not gzip, -2 for corrupt or
 * truncated data (message in 'why'), -3 past max_inflate, -4 no memory.
 */
static int gunzip(cti_walker *w, const char *in, size_t inlen, size_t *outlen,
                  const char **why)
{
    z_stream zs;
    size_t out = 0, pos = 0;
    int rc = 0, zr = Z_OK;

    *why = NULL;
    if (inlen < 2 || (unsigned char)in[0] != 0x1f ||
        (unsigned char)in[1] != 0x8b)
        return -1;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
        return -4;
    size_t guess = inlen < w->max_inflate / 4 ? inlen * 4 : w->max_inflate;
    if (reserve(&w->buf, &w->cap, guess + 1)) {
        rc = -4;
        goto done;
    }
    for (;;) {
        if (out == w->cap) {
            if (out > w->max_inflate) {
                rc = -3;
                goto done;
            }
            if (reserve(&w->buf, &w->cap, out + 1)) {
                rc = -4;
                goto done;
            }
        }
        size_t in_chunk = inlen - pos > UINT_MAX ? UINT_MAX : inlen - pos;
        size_t out_room = w->cap - out;
        if (out_room > UINT_MAX)
            out_room = UINT_MAX;
        /* Never inflate more than one byte past the cap. */
        if (out_room > w->max_inflate + 1 - out)
            out_room = w->max_inflate + 1 - out;
        zs.next_in = (Bytef *)(in + pos);
        zs.avail_in = (uInt)in_chunk;
        zs.next_out = (Bytef *)(w->buf + out);
        zs.avail_out = (uInt)out_room;
        zr = inflate(&zs, Z_NO_FLUSH);
        pos += in_chunk - zs.avail_in;
        out += out_room - zs.avail_out;
        if (out > w->max_inflate) {
            rc = -3;
            goto done;
        }
        if (zr == Z_STREAM_END) {
            /* Another member follows?  Anything else is ignored, as
               gzip(1) ignores trailing garbage. */
            if (inlen - pos >= 2 && (unsigned char)in[pos] == 0x1f &&
                (unsigned char)in[pos + 1] == 0x8b) {
                inflateReset(&zs);
                continue;
            }
            break;
        }
        if (zr == Z_BUF_ERROR && pos == inlen) {
            *why = "truncated gzip data (unexpected end of file)";
            rc = -2;
            goto done;
        }
        if (zr != Z_OK && zr != Z_BUF_ERROR) {
            *why = zs.msg ? zs.msg : "corrupt gzip data";
            rc = -2;
            goto done;
        }
        if (zr == Z_OK && pos == inlen && zs.avail_out != 0) {
            *why = "truncated gzip data (unexpected end of file)";
            rc = -2;
            goto done;
        }
    }
    *outlen = out;
done:
    inflateEnd(&zs);
    return rc;
}

/* JSON lines from a stream (a plain .jsonl file or standard input), read
   in chunks into the reused buffer; each byte is scanned once, so one
   huge line costs linear time.  A line longer than max_file_bytes is
   reported and skipped.  Returns CTI_WALK_SEEN or CTI_WALK_UNSEEN. */
int cti_file_stream(cti_walker *w, int fd, const char *display)
{
    size_t have = 0;       /* bytes in w->buf */
    size_t scanned = 0;    /* bytes of w->buf known to hold no '\n' */
    unsigned long line = 1;
    int skipping = 0;      /* discarding the rest of an over-long line */
    int any = 0;

    for (;;) {
        if (reserve(&w->buf, &w->cap, have + STREAM_CHUNK)) {
            cti_source_report(w, display, line, CTI_SOURCE_FAILED,
                              "out of memory");
            return CTI_WALK_UNSEEN;
        }
        ssize_t r = read(fd, w->buf + have, w->cap - have);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            cti_source_report(w, display, line, CTI_SOURCE_FAILED,
                              "read error: %s", strerror(errno));
            return CTI_WALK_UNSEEN;
        }
        int eof = r == 0;
        any |= r > 0;
        have += (size_t)r;
        if (r > 0 && w->cur_id && w->cb->consumed) {
            w->cb->consumed(w->ctx, (uint64_t)r);
            w->cur_done += (uint64_t)r;
        }
        size_t start = 0;
        for (;;) {
            char *nl = memchr(w->buf + scanned, '\n', have - scanned);
            if (!nl) {
                scanned = have;
                break;
            }
            size_t end = (size_t)(nl - w->buf);
            if (!skipping && cti_content_line(w, w->buf + start, end - start,
                                              display, line)) {
                cti_source_report(w, display, line, CTI_SOURCE_FAILED,
                                  "out of memory");
                return CTI_WALK_UNSEEN;
            }
            skipping = 0;
            line++;
            start = scanned = end + 1;
            if (w->stop)
                return CTI_WALK_SEEN;
        }
        if (eof) {
            if (start < have && !skipping &&
                cti_content_line(w, w->buf + start, have - start, display,
                                 line)) {
                cti_source_report(w, display, line, CTI_SOURCE_FAILED,
                                  "out of memory");
                return CTI_WALK_UNSEEN;
            }
            break;
        }
        if (start > 0) {
            memmove(w->buf, w->buf + start, have - start);
            have -= start;
            scanned -= start;
        }
        if (have > w->max_file && !skipping) {
            cti_source_report(
                w, display, line, CTI_SOURCE_FAILED,
                "line longer than the limit of %zu bytes, skipped",
                w->max_file);
            skipping = 1;
        }
        if (skipping)
            have = scanned = 0;
    }
    if (!any)
        cti_source_report(w, display, 0, CTI_SOURCE_PASSED,
                          "empty file, skipped");
    return CTI_WALK_SEEN;
}

/*
 * One regular file of kind 'k' ('gz': gzipped): 'dirfd'/'name' opens it,
 * 'display' names it in messages, 'id' is its real path, 'st' its stat.
 * Returns CTI_WALK_SEEN or CTI_WALK_UNSEEN.
 */
static int read_file(cti_walker *w, int dirfd, const char *name, cti_kind k,
                     int gz, const char *display, const char *id,
                     const struct stat *st)
{
    int fd = -1, res = CTI_WALK_SEEN;
    size_t len = 0;

    if (k == CTI_KIND_SKIP) {
        cti_source_report(w, display, 0, CTI_SOURCE_PASSED,
                          "not a text file (by its extension), skipped");
        return CTI_WALK_SEEN;
    }
    if ((k == CTI_KIND_TEXT || k == CTI_KIND_HTML) && w->cb->want_file &&
        !w->cb->want_file(w->ctx, id, st))
        return CTI_WALK_SEEN;
    if ((size_t)st->st_size > w->max_file) {
        cti_source_report(w, display, 0, CTI_SOURCE_FAILED,
                          "larger than the limit of %zu bytes, skipped",
                          w->max_file);
        return CTI_WALK_SEEN;
    }
    fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        int e = errno;
        cti_source_report(w, display, 0,
                          e == ENOENT ? CTI_SOURCE_PASSED : CTI_SOURCE_FAILED,
                          "cannot open: %s%s", strerror(e),
                          e == ENOENT ? " (vanished during the walk)" : "");
        w->vanished = e == ENOENT;
        return e == ENOENT ? CTI_WALK_SEEN : CTI_WALK_UNSEEN;
    }
    if (k == CTI_KIND_JSONL && !gz) {
        res = cti_file_stream(w, fd, display);
        goto done;
    }
    char **dst = gz ? &w->zbuf : &w->buf;
    size_t *dcap = gz ? &w->zcap : &w->cap;
    int r = read_fd(fd, dst, dcap, (size_t)st->st_size, w->max_file, &len);
    if (r == -1) {
        cti_source_report(w, display, 0, CTI_SOURCE_FAILED,
                          "read error: %s", strerror(errno));
        res = CTI_WALK_UNSEEN;
        goto done;
    }
    if (r == -2) {
        cti_source_report(w, display, 0, CTI_SOURCE_FAILED,
                          "larger than the limit of %zu bytes, skipped",
                          w->max_file);
        goto done;
    }
    if (r == -3) {
        cti_source_report(w, display, 0, CTI_SOURCE_FAILED, "out of memory");
        res = CTI_WALK_UNSEEN;
        goto done;
    }
    const char *data = *dst;
    if (gz) {
        const char *why;
        size_t zlen = len;
        r = gunzip(w, w->zbuf, zlen, &len, &why);
        if (r == -1) {
            if (zlen)
                cti_source_report(w, display, 0, CTI_SOURCE_FAILED,
                                  "not gzip data, skipped");
            else
                cti_source_report(w, display, 0, CTI_SOURCE_PASSED,
                                  "empty file, skipped");
            goto done;
        }
        if (r == -2) {
            cti_source_report(w, display, 0, CTI_SOURCE_FAILED, "%s, skipped",
                              why);
            goto done;
        }
        if (r == -3) {
            cti_source_report(
                w, display, 0, CTI_SOURCE_FAILED,
                "inflates to more than the limit of %zu bytes, skipped",
                w->max_inflate);
            goto done;
        }
        if (r == -4) {
            cti_source_report(w, display, 0, CTI_SOURCE_FAILED,
                              "out of memory");
            res = CTI_WALK_UNSEEN;
            goto done;
        }
        data = w->buf;
    }
    if (k == CTI_KIND_JSONL) {
        if (len == 0)
            cti_source_report(w, display, 0, CTI_SOURCE_PASSED,
                              "empty file, skipped");
        else if (cti_content_lines(w, data, len, display)) {
            cti_source_report(w, display, 0, CTI_SOURCE_FAILED,
                              "out of memory");
            res = CTI_WALK_UNSEEN;
        }
        goto done;
    }
    res = cti_content_read(w, k, data, len, display, id, st);
done:
    if (fd >= 0)
        close(fd);
    return res;
}

/* Does a file of kind 'k' hold a collection of articles (records)? */
static int is_collection(cti_kind k)
{
    return k == CTI_KIND_JSONL || k == CTI_KIND_JSON || k == CTI_KIND_CSV ||
           k == CTI_KIND_TSV;
}

/*
 * One regular file (see read_file()).  After a collection file, tells
 * cb->walked_file whether every record of it was read without an error.
 */
static int do_file(cti_walker *w, int dirfd, const char *name,
                   const char *display, const char *id, const struct stat *st)
{
    int gz;
    cti_kind k = classify(name, &gz);
    unsigned long failed = w->failed;
    w->container = id;
    w->vanished = w->unread = 0;
    int res = read_file(w, dirfd, name, k, gz, display, id, st);
    w->container = NULL;
    if (is_collection(k) && w->cb->walked_file && !w->vanished)
        w->cb->walked_file(w->ctx, id, res == CTI_WALK_SEEN &&
                                           w->failed == failed &&
                                           !w->unread && !w->stop &&
                                           !w->nomem);
    return res;
}

/* One regular file, as do_file(), known as the file being read while it
   is. */
int cti_file_visit(cti_walker *w, int dirfd, const char *name,
                   const char *display, const char *id,
                   const struct stat *st)
{
    if (w->measure) {
        *w->measure += (uint64_t)st->st_size;
        return CTI_WALK_SEEN;
    }
    w->cur_id = id;
    w->cur_st = st;
    w->cur_done = 0;
    int res = do_file(w, dirfd, name, display, id, st);
    if (w->cb->consumed && (uint64_t)st->st_size > w->cur_done)
        w->cb->consumed(w->ctx, (uint64_t)st->st_size - w->cur_done);
    w->cur_id = NULL;
    w->cur_st = NULL;
    return res;
}
