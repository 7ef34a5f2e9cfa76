/*
 * cti_source.c - finding and reading articles: files, folders, .gz, text,
 * web pages, JSON lines, JSON, CSV and TSV.
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
 *   - A folder is walked recursively in byte order of the names, so the
 *     order is the same on every run.  Entries whose name starts with "."
 *     (.git, .cti, .DS_Store...) are skipped silently.  Symbolic links are
 *     followed, to files and to folders, but every folder (by device and
 *     inode) is walked once per walk, so a symlink loop or a second link
 *     to the same folder is skipped with a notice.  Folders nested deeper
 *     than max_depth (default 256) are skipped with a message.
 *
 * Charsets (cti_charset.h)
 *   A UTF-16 byte order mark converts the file first.  A text file that
 *   is not valid UTF-8 is parsed again from Windows-1252 when it reads as
 *   that (a note), else repaired (U+FFFD, a warning); JSON and CSV files
 *   likewise, before they are read; web pages follow their declared
 *   charset (cti_html.c); JSON lines are repaired line by line.  The fast
 *   path for UTF-8 text costs nothing more than before: the check for
 *   valid UTF-8 is the one the text parser makes anyway.
 *
 * Every article delivered has its date read (a->ymd, with 'date_order';
 * a date that cannot be read is reported as CTI_SOURCE_UNDATED naming
 * the file, the line and the text) and, when it names none, the run's
 * default source.
 *
 * What is skipped, with a message through cb->problem
 *   - files whose extension marks them as not text: images, audio, video,
 *     PDF and office documents, archives other than .gz (zip, tar, .tgz,
 *     bz2, xz, 7z...), fonts, executables and object files, databases;
 *     they are not even opened (skipped = 2);
 *   - files whose first 8 KiB look binary (cti_source_is_binary(): a NUL
 *     byte, a known binary signature, or mostly control bytes) (2);
 *   - empty files, and files holding only white space: a notice, no
 *     article (2);
 *   - sockets, FIFOs and devices met in a folder (2);
 *   - files larger than max_file_bytes (default 1 GiB) (1);
 *   - files that vanish during the walk (2), or cannot be opened or read
 *     (1; the walk goes on).
 *   A text file with damaged UTF-8 is indexed (repaired) with a warning
 *   (skipped = 0); one read as Windows-1252 with a note (skipped = 4).
 *
 * Incremental indexing
 *   For a text file or a web page, cb->want_file gets its id and stat()
 *   before anything is opened; when it says 0 the file is not read.  JSON
 *   lines, JSON and CSV files are always read (their articles carry their
 *   own ids; the indexer compares content hashes).  cb->walked_dir(dir)
 *   is called after a folder's walk only when every entry below it was
 *   seen: not after a read error, an unreadable subfolder or a depth cut,
 *   so the indexer never removes articles it merely could not look at.
 *   Likewise cb->walked_file says after each collection file (JSON
 *   lines, JSON, CSV) whether every record of it was read without an
 *   error: only then may records gone from it be removed (a file passed
 *   over as binary data is not read).  Every article carries the real
 *   path of its file (a->container; NULL for standard input, which is not
 *   a collection that can shrink).
 *
 * Speed: one read() per file into a buffer reused across files, openat()
 * relative to the open folder, no realpath() except for symlinks.
 */
#include "cti_source.h"

#include "cti_charset.h"
#include "cti_csv.h"
#include "cti_html.h"
#include "cti_json.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <zlib.h>

#define DEFAULT_MAX_FILE ((size_t)1 << 30)
#define DEFAULT_MAX_INFLATE ((size_t)1 << 30)
#define DEFAULT_MAX_DEPTH 256u
#define SNIFF_BYTES 8192
#define STREAM_CHUNK ((size_t)1 << 20)

/* Outcomes of reading one entry. */
#define SEEN 0       /* reported (article, skip, or a decision on its content) */
#define UNSEEN 1     /* could not be looked at: the folder is not complete */

typedef struct dirkey {
    dev_t dev;
    ino_t ino;
} dirkey;

typedef struct walker {
    size_t max_file, max_inflate;
    unsigned max_depth;
    cti_date_order date_order;
    const cti_fields *fields;
    const char *source;     /* default source, or NULL */
    char *conv;             /* an input converted to UTF-8 */
    const cti_source_cb *cb;
    void *ctx;
    char *buf;          /* file contents, or inflated data */
    size_t cap;
    char *zbuf;         /* compressed input of a .gz */
    size_t zcap;
    dirkey *seen;       /* folders walked: open-addressing hash set */
    size_t nseen, seencap;
    int stop;           /* non-zero value returned by cb->article */
    int nomem;
    const char *cur_id;          /* the regular file being read, or NULL */
    const struct stat *cur_st;
    uint64_t cur_done;           /* bytes of it told to cb->consumed */
    uint64_t *measure;           /* not NULL: only add up file sizes here */
    const char *container; /* real path of the file being read, or NULL */
    unsigned long failed;  /* CTI_SOURCE_FAILED problems reported so far */
    int vanished;          /* the file being opened was gone */
    int unread;            /* the file being read was passed over unread */
} walker;

typedef enum kind { K_TEXT, K_JSONL, K_JSON, K_CSV, K_TSV, K_HTML, K_SKIP } kind;

/* ------------------------------------------------------------ messages */

static void report(walker *w, const char *path, unsigned long line,
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

/* ------------------------------------------------------------- helpers */

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
static kind classify(const char *name, int *gz)
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
            return K_SKIP;
    }
    if (ends_with(name, n, ".jsonl") || ends_with(name, n, ".ndjson"))
        return K_JSONL;
    if (ends_with(name, n, ".json"))
        return K_JSON;
    if (ends_with(name, n, ".csv"))
        return K_CSV;
    if (ends_with(name, n, ".tsv") || ends_with(name, n, ".tab"))
        return K_TSV;
    if (ends_with(name, n, ".html") || ends_with(name, n, ".htm") ||
        ends_with(name, n, ".xhtml") || ends_with(name, n, ".shtml"))
        return K_HTML;
    if (*gz)
        return K_TEXT;
    /* The extension: from the last '.' of the last path component. */
    const char *ext = NULL;
    for (size_t i = n; i > 0 && name[i - 1] != '/'; i--)
        if (name[i - 1] == '.') {
            ext = name + i - 1;
            break;
        }
    if (!ext || n - (size_t)(ext - name) > 8)
        return K_TEXT;
    for (size_t i = 0; i < sizeof skip / sizeof *skip; i++)
        if (strcasecmp(ext, skip[i]) == 0)
            return K_SKIP;
    return K_TEXT;
}

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
static int gunzip(walker *w, const char *in, size_t inlen, size_t *outlen,
                  const char **why)
{
    z_stream zs;
    size_t out = 0, pos = 0;
    int rc = 0, zr = Z_OK;

    *why = NULL;
    if (inlen < 2 || (unsigned char)in[0] != 0x1f || (unsigned char)in[1] != 0x8b)
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

/* ------------------------------------------------------------ articles */

/*
 * Read the article's date into a->ymd, or say why it has none.  A date
 * read day first only because of --date-order dmy marks the content hash,
 * so that indexing the same records with the other order replaces them.
 */
static void read_date(walker *w, cti_article *a)
{
    unsigned flags = 0;
    a->ymd[0] = '\0';
    if (!a->date)
        return;
    if (cti_date_read(a->date, w->date_order, a->ymd, &flags) == 0) {
        if ((flags & CTI_DATE_AMBIGUOUS) && w->date_order == CTI_DATE_DMY)
            a->hash = (a->hash ^ 0x646d79ull) * 0x9E3779B97F4A7C15ull;
        return;
    }
    a->ymd[0] = '\0';
    size_t n = strlen(a->date);
    report(w, a->origin, a->line, CTI_SOURCE_UNDATED,
           "cannot read the date \"%.80s%s\"; indexed without a date",
           a->date, n > 80 ? "\xe2\x80\xa6" : "");
}

/* Hand one article to the indexer; releases what the callee left. */
static void deliver(walker *w, cti_article *a)
{
    if (a->repaired)
        report(w, a->origin, a->line, CTI_SOURCE_WARNING,
               "invalid UTF-8 replaced by U+FFFD");
    if (w->source && !a->source) {
        if (!(a->source = strdup(w->source))) {
            report(w, a->origin, a->line, CTI_SOURCE_FAILED, "out of memory");
            cti_article_release(a);
            return;
        }
        a->hash = cti_article_hash(a);
    }
    read_date(w, a);
    if (!a->container)
        a->container = w->container;
    int r = w->cb->article ? w->cb->article(w->ctx, a) : 0;
    cti_article_release(a);
    if (r && !w->stop)
        w->stop = r;
}

/* One JSON line: parse and deliver, or report.  -1 on no memory. */
static int json_line(walker *w, const char *p, size_t len,
                     const char *display, unsigned long line)
{
    char err[512];
    cti_article a;
    const char *q = p, *end = p + len;
    while (q < end && (*q == ' ' || *q == '\t' || *q == '\r'))
        q++;
    if (q == end)
        return 0; /* blank lines are allowed */
    if (cti_article_parse_json(p, len, w->fields, &a, err, sizeof err) == 0) {
        a.origin = display;
        a.line = line;
        deliver(w, &a);
        return 0;
    }
    if (strcmp(err, "out of memory") == 0)
        return -1;
    report(w, display, line, CTI_SOURCE_FAILED, "%s", err);
    return 0;
}

/* JSON lines in data[0, len), numbered from 1; a last line without "\n"
   counts.  Returns 0, -1 on no memory. */
static int split_lines(walker *w, const char *data, size_t len,
                       const char *display)
{
    unsigned long line = 1;
    const char *p = data, *end = data + len;
    while (p < end && !w->stop) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *stop = nl ? nl : end;
        if (json_line(w, p, (size_t)(stop - p), display, line))
            return -1;
        line++;
        p = nl ? nl + 1 : end;
    }
    return 0;
}

/* JSON lines from a stream (a plain .jsonl file or standard input), read
   in chunks into the reused buffer; each byte is scanned once, so one
   huge line costs linear time.  A line longer than max_file_bytes is
   reported and skipped.  Returns SEEN or UNSEEN. */
static int stream_lines(walker *w, int fd, const char *display)
{
    size_t have = 0;       /* bytes in w->buf */
    size_t scanned = 0;    /* bytes of w->buf known to hold no '\n' */
    unsigned long line = 1;
    int skipping = 0;      /* discarding the rest of an over-long line */
    int any = 0;

    for (;;) {
        if (reserve(&w->buf, &w->cap, have + STREAM_CHUNK)) {
            report(w, display, line, CTI_SOURCE_FAILED, "out of memory");
            return UNSEEN;
        }
        ssize_t r = read(fd, w->buf + have, w->cap - have);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            report(w, display, line, CTI_SOURCE_FAILED,
                   "read error: %s", strerror(errno));
            return UNSEEN;
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
            if (!skipping && json_line(w, w->buf + start, end - start,
                                       display, line)) {
                report(w, display, line, CTI_SOURCE_FAILED, "out of memory");
                return UNSEEN;
            }
            skipping = 0;
            line++;
            start = scanned = end + 1;
            if (w->stop)
                return SEEN;
        }
        if (eof) {
            if (start < have && !skipping &&
                json_line(w, w->buf + start, have - start, display, line)) {
                report(w, display, line, CTI_SOURCE_FAILED, "out of memory");
                return UNSEEN;
            }
            break;
        }
        if (start > 0) {
            memmove(w->buf, w->buf + start, have - start);
            have -= start;
            scanned -= start;
        }
        if (have > w->max_file && !skipping) {
            report(w, display, line, CTI_SOURCE_FAILED,
                   "line longer than the limit of %zu bytes, skipped",
                   w->max_file);
            skipping = 1;
        }
        if (skipping)
            have = scanned = 0;
    }
    if (!any)
        report(w, display, 0, CTI_SOURCE_PASSED, "empty file, skipped");
    return SEEN;
}

/* data[0, len) converted from 'charset' to UTF-8, kept in w->conv (the
   previous conversion is freed, even when it was 'data'); NULL on no
   memory. */
static const char *convert(walker *w, const char *data, size_t len,
                           const char *charset, size_t *outlen)
{
    char *out;
    if (cti_charset_to_utf8(data, len, charset, &out, outlen, NULL) != 0)
        return NULL;
    free(w->conv);
    w->conv = out;
    return out;
}

/* Set the file facts of an article read from a whole file, and deliver. */
static int deliver_file(walker *w, cti_article *a, const char *display,
                        const char *id, const struct stat *st)
{
    a->id = strdup(id);
    if (!a->id) {
        cti_article_release(a);
        report(w, display, 0, CTI_SOURCE_FAILED, "out of memory");
        return UNSEEN;
    }
    a->origin = display;
    a->line = 0;
    a->size = (int64_t)st->st_size;
    a->mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
    deliver(w, a);
    return SEEN;
}

/*
 * A text article from data[0, len): parse and deliver.  Text that is not
 * valid UTF-8 is parsed again from Windows-1252 when it reads as that
 * (cti_charset_guess()), with a note.
 */
static int text_article(walker *w, const char *data, size_t len,
                        const char *display, const char *id,
                        const struct stat *st)
{
    cti_article a;
    if (cti_article_parse_text(data, len, &a)) {
        report(w, display, 0, CTI_SOURCE_FAILED, "out of memory");
        return UNSEEN;
    }
    if (a.repaired &&
        strcmp(cti_charset_guess(data, len), CTI_CHARSET_CP1252) == 0) {
        size_t n;
        cti_article_release(&a);
        const char *u = convert(w, data, len, CTI_CHARSET_CP1252, &n);
        if (!u || cti_article_parse_text(u, n, &a)) {
            report(w, display, 0, CTI_SOURCE_FAILED, "out of memory");
            return UNSEEN;
        }
        report(w, display, 0, CTI_SOURCE_NOTE,
               "not UTF-8: read as Windows-1252 (Latin-1)");
    }
    if (a.body_len == 0 && !a.title) {
        cti_article_release(&a);
        report(w, display, 0, CTI_SOURCE_PASSED,
               len ? "only white space, skipped"
                                     : "empty file, skipped");
        return SEEN;
    }
    return deliver_file(w, &a, display, id, st);
}

/* A web page from data[0, len): parse and deliver. */
static int page_article(walker *w, const char *data, size_t len,
                        const char *display, const char *id,
                        const struct stat *st)
{
    cti_article a;
    char note[256];
    int r = cti_html_parse(data, len, &a, note, sizeof note);
    if (r == CTI_HTML_NOMEM) {
        report(w, display, 0, CTI_SOURCE_FAILED, "out of memory");
        return UNSEEN;
    }
    if (r == CTI_HTML_EMPTY) {
        report(w, display, 0, CTI_SOURCE_PASSED,
               "a web page without article text, skipped");
        return SEEN;
    }
    if (r != CTI_HTML_OK) {
        report(w, display, 0, CTI_SOURCE_FAILED,
               "cannot be read as a web page: %s", note);
        return SEEN;
    }
    if (note[0])
        report(w, display, 0, CTI_SOURCE_NOTE, "%s", note);
    return deliver_file(w, &a, display, id, st);
}

/* Where the records of a JSON or CSV file go. */
typedef struct records {
    walker *w;
    const char *display;
    size_t problems;
} records;

static int records_article(void *ctx, cti_article *a)
{
    records *r = ctx;
    a->origin = r->display;
    deliver(r->w, a);
    return r->w->stop;
}

static void records_bad(void *ctx, unsigned long line, const char *msg)
{
    records *r = ctx;
    r->problems++;
    report(r->w, r->display, line, CTI_SOURCE_FAILED, "%s", msg);
}

/*
 * A JSON, CSV or TSV file from data[0, len): made valid UTF-8 (read as
 * Windows-1252 when it is not UTF-8, with a note; damaged UTF-8 repaired,
 * with a warning), then read record by record.
 */
static int record_file(walker *w, kind k, const char *data, size_t len,
                       const char *display, const char *id)
{
    records r = { w, display, 0 };
    cti_record_sink sink = { records_article, records_bad, &r };
    size_t count = 0, n = len;
    int repaired = 0;
    const char *u = data;
    if (!cti_charset_is_utf8(data, len)) {
        if (strcmp(cti_charset_guess(data, len), CTI_CHARSET_CP1252) == 0) {
            u = convert(w, data, len, CTI_CHARSET_CP1252, &n);
            if (u)
                report(w, display, 0, CTI_SOURCE_NOTE,
                       "not UTF-8: read as Windows-1252 (Latin-1)");
        } else {
            char *fixed = cti_charset_repair(data, len, &n, &repaired);
            if (fixed) {
                free(w->conv);
                w->conv = fixed;
            }
            u = fixed;
            if (u)
                report(w, display, 0, CTI_SOURCE_WARNING,
                       "invalid UTF-8 replaced by U+FFFD");
        }
    }
    cti_status rc = !u ? CTI_ENOMEM
                    : k == K_JSON ? cti_json_read(u, n, w->fields, id, &sink, &count)
                                  : cti_csv_read(u, n, k == K_TSV, w->fields, id,
                                                 &sink, &count);
    if (rc != CTI_OK) {
        report(w, display, 0, CTI_SOURCE_FAILED, "out of memory");
        return UNSEEN;
    }
    if (count == 0 && r.problems == 0)
        report(w, display, 0, CTI_SOURCE_PASSED, "no articles in it, skipped");
    return SEEN;
}

/* Is there a UTF-16 byte order mark at the start? */
static const char *utf16_bom(const char *data, size_t len)
{
    const unsigned char *u = (const unsigned char *)data;
    if (len >= 2 && u[0] == 0xFF && u[1] == 0xFE)
        return "UTF-16LE";
    if (len >= 2 && u[0] == 0xFE && u[1] == 0xFF)
        return "UTF-16BE";
    return NULL;
}

/*
 * The content of a file of kind k (not JSON lines), read or inflated:
 * UTF-16 converted, binary data passed over, then each kind to its
 * reader; a text file that starts like a web page is one.
 */
static int read_content(walker *w, kind k, const char *data, size_t len,
                        const char *display, const char *id,
                        const struct stat *st)
{
    const char *cs = utf16_bom(data, len);
    if (len == 0) {
        report(w, display, 0, CTI_SOURCE_PASSED, "empty file, skipped");
        return SEEN;
    }
    if (cs) {
        if (!(data = convert(w, data, len, cs, &len))) {
            report(w, display, 0, CTI_SOURCE_FAILED, "out of memory");
            return UNSEEN;
        }
    } else if (cti_source_is_binary(data, len)) {
        report(w, display, 0, CTI_SOURCE_PASSED, "binary data, skipped");
        w->unread = 1;
        return SEEN;
    }
    if (k == K_JSON || k == K_CSV || k == K_TSV)
        return record_file(w, k, data, len, display, id);
    if (k == K_HTML || cti_html_sniff(data, len))
        return page_article(w, data, len, display, id, st);
    return text_article(w, data, len, display, id, st);
}

/*
 * One regular file of kind 'k' ('gz': gzipped): 'dirfd'/'name' opens it,
 * 'display' names it in messages, 'id' is its real path, 'st' its stat.
 * Returns SEEN or UNSEEN.
 */
static int do_file(walker *w, int dirfd, const char *name, const char *display,
                   const char *id, const struct stat *st);

/* One regular file, as do_file(), known as the file being read while it is. */
static int visit_file(walker *w, int dirfd, const char *name,
                      const char *display, const char *id,
                      const struct stat *st)
{
    if (w->measure) {
        *w->measure += (uint64_t)st->st_size;
        return SEEN;
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

static int read_file(walker *w, int dirfd, const char *name, kind k, int gz,
                     const char *display, const char *id,
                     const struct stat *st)
{
    int fd = -1, res = SEEN;
    size_t len = 0;

    if (k == K_SKIP) {
        report(w, display, 0, CTI_SOURCE_PASSED,
               "not a text file (by its extension), skipped");
        return SEEN;
    }
    if ((k == K_TEXT || k == K_HTML) && w->cb->want_file &&
        !w->cb->want_file(w->ctx, id, st))
        return SEEN;
    if ((size_t)st->st_size > w->max_file) {
        report(w, display, 0, CTI_SOURCE_FAILED,
               "larger than the limit of %zu bytes, skipped",
               w->max_file);
        return SEEN;
    }
    fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        int e = errno;
        report(w, display, 0,
               e == ENOENT ? CTI_SOURCE_PASSED : CTI_SOURCE_FAILED,
               "cannot open: %s%s", strerror(e),
               e == ENOENT ? " (vanished during the walk)" : "");
        w->vanished = e == ENOENT;
        return e == ENOENT ? SEEN : UNSEEN;
    }
    if (k == K_JSONL && !gz) {
        res = stream_lines(w, fd, display);
        goto done;
    }
    char **dst = gz ? &w->zbuf : &w->buf;
    size_t *dcap = gz ? &w->zcap : &w->cap;
    int r = read_fd(fd, dst, dcap, (size_t)st->st_size, w->max_file, &len);
    if (r == -1) {
        report(w, display, 0, CTI_SOURCE_FAILED,
               "read error: %s", strerror(errno));
        res = UNSEEN;
        goto done;
    }
    if (r == -2) {
        report(w, display, 0, CTI_SOURCE_FAILED,
               "larger than the limit of %zu bytes, skipped",
               w->max_file);
        goto done;
    }
    if (r == -3) {
        report(w, display, 0, CTI_SOURCE_FAILED, "out of memory");
        res = UNSEEN;
        goto done;
    }
    const char *data = *dst;
    if (gz) {
        const char *why;
        size_t zlen = len;
        r = gunzip(w, w->zbuf, zlen, &len, &why);
        if (r == -1) {
            if (zlen)
                report(w, display, 0, CTI_SOURCE_FAILED,
                       "not gzip data, skipped");
            else
                report(w, display, 0, CTI_SOURCE_PASSED, "empty file, skipped");
            goto done;
        }
        if (r == -2) {
            report(w, display, 0, CTI_SOURCE_FAILED, "%s, skipped", why);
            goto done;
        }
        if (r == -3) {
            report(w, display, 0, CTI_SOURCE_FAILED,
                   "inflates to more than the limit of %zu bytes, skipped",
                   w->max_inflate);
            goto done;
        }
        if (r == -4) {
            report(w, display, 0, CTI_SOURCE_FAILED, "out of memory");
            res = UNSEEN;
            goto done;
        }
        data = w->buf;
    }
    if (k == K_JSONL) {
        if (len == 0)
            report(w, display, 0, CTI_SOURCE_PASSED, "empty file, skipped");
        else if (split_lines(w, data, len, display)) {
            report(w, display, 0, CTI_SOURCE_FAILED, "out of memory");
            res = UNSEEN;
        }
        goto done;
    }
    res = read_content(w, k, data, len, display, id, st);
done:
    if (fd >= 0)
        close(fd);
    return res;
}

/* Does a file of kind 'k' hold a collection of articles (records)? */
static int is_collection(kind k)
{
    return k == K_JSONL || k == K_JSON || k == K_CSV || k == K_TSV;
}

/*
 * One regular file (see read_file()).  After a collection file, tells
 * cb->walked_file whether every record of it was read without an error.
 */
static int do_file(walker *w, int dirfd, const char *name, const char *display,
                   const char *id, const struct stat *st)
{
    int gz;
    kind k = classify(name, &gz);
    unsigned long failed = w->failed;
    w->container = id;
    w->vanished = w->unread = 0;
    int res = read_file(w, dirfd, name, k, gz, display, id, st);
    w->container = NULL;
    if (is_collection(k) && w->cb->walked_file && !w->vanished)
        w->cb->walked_file(w->ctx, id, res == SEEN && w->failed == failed &&
                                           !w->unread && !w->stop &&
                                           !w->nomem);
    return res;
}

/* ------------------------------------------------------------- folders */

static size_t key_hash(dirkey k)
{
    uint64_t h = (uint64_t)k.dev * 0x9E3779B97F4A7C15ull ^ (uint64_t)k.ino;
    h ^= h >> 31;
    h *= 0xff51afd7ed558ccdull;
    return (size_t)(h ^ (h >> 29));
}

/* Add the folder to the set; 1 if it was there already, -1 no memory. */
static int seen_add(walker *w, dev_t dev, ino_t ino)
{
    dirkey k = { dev, ino };
    if (2 * (w->nseen + 1) > w->seencap) {
        size_t ncap = w->seencap ? w->seencap * 2 : 64;
        dirkey *n = calloc(ncap, sizeof *n);
        if (!n)
            return -1;
        /* Empty slots have ino 0 and dev 0: a real folder never has both. */
        for (size_t i = 0; i < w->seencap; i++) {
            dirkey o = w->seen[i];
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

static int walk_dir(walker *w, int fd, const char *display, const char *real,
                    unsigned depth);

/* One folder entry.  Returns SEEN or UNSEEN. */
static int do_entry(walker *w, int dirfd, const char *name, unsigned char dtype,
                    const char *display_dir, const char *real_dir,
                    unsigned depth)
{
    struct stat st;
    int res = SEEN;
    char *display = join(display_dir, name);
    char *real = NULL;
    if (!display) {
        w->nomem = 1;
        return UNSEEN;
    }
    int is_link = dtype == DT_LNK;
    if (dtype == DT_UNKNOWN) {
        if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
            is_link = S_ISLNK(st.st_mode);
    }
    if (fstatat(dirfd, name, &st, 0) != 0) {
        int e = errno;
        if (e == ENOENT && is_link)
            report(w, display, 0, CTI_SOURCE_PASSED,
                   "broken symbolic link, skipped");
        else if (e == ENOENT)
            report(w, display, 0, CTI_SOURCE_PASSED,
                   "vanished during the walk");
        else if (e == ELOOP)
            report(w, display, 0, CTI_SOURCE_PASSED,
                   "symbolic link loop, skipped");
        else
            report(w, display, 0, CTI_SOURCE_FAILED,
                   "cannot stat: %s", strerror(e));
        res = e == ENOENT || e == ELOOP ? SEEN : UNSEEN;
        goto done;
    }
    if (is_link) {
        char *link = join(real_dir, name);
        real = link ? realpath(link, NULL) : NULL;
        free(link);
        if (!real) {
            report(w, display, 0, CTI_SOURCE_FAILED,
                   "cannot resolve: %s", strerror(errno));
            res = UNSEEN;
            goto done;
        }
    } else if (!(real = join(real_dir, name))) {
        w->nomem = 1;
        res = UNSEEN;
        goto done;
    }
    if (S_ISDIR(st.st_mode)) {
        if (depth + 1 > w->max_depth) {
            report(w, display, 0, CTI_SOURCE_FAILED,
                   "folder nested deeper than %u levels, skipped", w->max_depth);
            res = UNSEEN;
            goto done;
        }
        int s = seen_add(w, st.st_dev, st.st_ino);
        if (s < 0) {
            w->nomem = 1;
            res = UNSEEN;
        } else if (s == 1) {
            report(w, display, 0, CTI_SOURCE_PASSED,
                   is_link ? "symbolic link to a folder already walked, skipped"
                           : "folder already walked, skipped");
        } else {
            int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            if (fd < 0) {
                int e = errno;
                report(w, display, 0,
                       e == ENOENT ? CTI_SOURCE_PASSED : CTI_SOURCE_FAILED,
                       "cannot open folder: %s", strerror(e));
                res = e == ENOENT ? SEEN : UNSEEN;
            } else {
                res = walk_dir(w, fd, display, real, depth + 1);
            }
        }
    } else if (S_ISREG(st.st_mode)) {
        res = visit_file(w, dirfd, name, display, real, &st);
    } else {
        report(w, display, 0, CTI_SOURCE_PASSED, "not a regular file, skipped");
    }
done:
    free(display);
    free(real);
    return res;
}

/*
 * Walk the open folder 'fd' (closed here): entries sorted by name, hidden
 * ones skipped.  'display' names it in messages, 'real' is its real path.
 * Calls walked_dir when every entry below was seen.  Returns SEEN/UNSEEN.
 */
static int walk_dir(walker *w, int fd, const char *display, const char *real,
                    unsigned depth)
{
    DIR *d = fdopendir(fd);
    entry *ents = NULL;
    size_t n = 0, cap = 0;
    int res = SEEN;

    if (!d) {
        report(w, display, 0, CTI_SOURCE_FAILED,
               "cannot read folder: %s", strerror(errno));
        close(fd);
        return UNSEEN;
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
                res = UNSEEN;
                goto done;
            }
            ents = ne;
            cap = nc;
        }
        if (!(ents[n].name = strdup(e->d_name))) {
            w->nomem = 1;
            res = UNSEEN;
            goto done;
        }
        ents[n++].type = e->d_type;
        errno = 0;
    }
    if (errno) {
        report(w, display, 0, CTI_SOURCE_FAILED,
               "cannot read folder: %s", strerror(errno));
        res = UNSEEN;
        goto done;
    }
    if (n > 1)
        qsort(ents, n, sizeof *ents, cmp_entries);
    for (size_t i = 0; i < n && !w->stop && !w->nomem; i++)
        if (do_entry(w, dirfd(d), ents[i].name, ents[i].type, display, real,
                     depth) != SEEN)
            res = UNSEEN;
    if (w->stop || w->nomem)
        res = UNSEEN;
    if (res == SEEN && w->cb->walked_dir && !w->measure) {
        char *slash = join(real, "");
        if (!slash) {
            w->nomem = 1;
            res = UNSEEN;
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
    walker w;
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
            stream_lines(&w, STDIN_FILENO, "<stdin>");
        goto done;
    }
    if (stat(path, &st) != 0) {
        report(&w, path, 0, CTI_SOURCE_FAILED,
               "cannot read: %s", strerror(errno));
        rc = -1;
        goto done;
    }
    if (!(real = realpath(path, NULL))) {
        report(&w, path, 0, CTI_SOURCE_FAILED,
               "cannot resolve: %s", strerror(errno));
        rc = -1;
        goto done;
    }
    if (S_ISDIR(st.st_mode)) {
        int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) {
            report(&w, path, 0, CTI_SOURCE_FAILED,
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
        if (visit_file(&w, AT_FDCWD, path, path, real, &st) == UNSEEN &&
            !w.stop && !w.nomem)
            rc = -1;
    } else {
        report(&w, path, 0, CTI_SOURCE_FAILED,
               "not a regular file or a folder");
        rc = -1;
    }
    if (w.nomem) {
        report(&w, path, 0, CTI_SOURCE_FAILED, "out of memory");
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
