/*
 * cti_content.c - the content of a file, read whole or inflated by
 * cti_file.c, into articles by its format: text, web page (cti_html.c),
 * JSON lines (cti_article.c), JSON (cti_json.c), CSV and TSV
 * (cti_csv.c).
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
 * default source.  Every article carries the real path of its file
 * (a->container; NULL for standard input, which is not a collection that
 * can shrink).
 *
 * What is skipped here, with a message through cb->problem
 *   - content whose first 8 KiB look binary (cti_source_is_binary(): a
 *     NUL byte, a known binary signature, or mostly control bytes)
 *     (skipped = 2);
 *   - empty files, and files holding only white space: a notice, no
 *     article (2).
 *   A text file with damaged UTF-8 is indexed (repaired) with a warning
 *   (skipped = 0); one read as Windows-1252 with a note (skipped = 4).
 */
#include "cti_source_int.h"

#include "cti_charset.h"
#include "cti_csv.h"
#include "cti_html.h"
#include "cti_json.h"

#include <stdlib.h>
#include <string.h>

/*
 * Read the article's date into a->ymd, or say why it has none.  A date
 * read day first only because of --date-order dmy marks the content hash,
 * so that indexing the same records with the other order replaces them.
 */
static void read_date(cti_walker *w, cti_article *a)
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
    cti_source_report(
        w, a->origin, a->line, CTI_SOURCE_UNDATED,
        "cannot read the date \"%.80s%s\"; indexed without a date", a->date,
        n > 80 ? "\xe2\x80\xa6" : "");
}

/* Hand one article to the indexer; releases what the callee left. */
static void deliver(cti_walker *w, cti_article *a)
{
    if (a->repaired)
        cti_source_report(w, a->origin, a->line, CTI_SOURCE_WARNING,
                          "invalid UTF-8 replaced by U+FFFD");
    if (w->source && !a->source) {
        if (!(a->source = strdup(w->source))) {
            cti_source_report(w, a->origin, a->line, CTI_SOURCE_FAILED,
                              "out of memory");
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
int cti_content_line(cti_walker *w, const char *p, size_t len,
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
    cti_source_report(w, display, line, CTI_SOURCE_FAILED, "%s", err);
    return 0;
}

/* JSON lines in data[0, len), numbered from 1; a last line without "\n"
   counts.  Returns 0, -1 on no memory. */
int cti_content_lines(cti_walker *w, const char *data, size_t len,
                      const char *display)
{
    unsigned long line = 1;
    const char *p = data, *end = data + len;
    while (p < end && !w->stop) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *stop = nl ? nl : end;
        if (cti_content_line(w, p, (size_t)(stop - p), display, line))
            return -1;
        line++;
        p = nl ? nl + 1 : end;
    }
    return 0;
}

/* data[0, len) converted from 'charset' to UTF-8, kept in w->conv (the
   previous conversion is freed, even when it was 'data'); NULL on no
   memory. */
static const char *convert(cti_walker *w, const char *data, size_t len,
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
static int deliver_file(cti_walker *w, cti_article *a, const char *display,
                        const char *id, const struct stat *st)
{
    a->id = strdup(id);
    if (!a->id) {
        cti_article_release(a);
        cti_source_report(w, display, 0, CTI_SOURCE_FAILED, "out of memory");
        return CTI_WALK_UNSEEN;
    }
    a->origin = display;
    a->line = 0;
    a->size = (int64_t)st->st_size;
    a->mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
    deliver(w, a);
    return CTI_WALK_SEEN;
}

/*
 * A text article from data[0, len): parse and deliver.  Text that is not
 * valid UTF-8 is parsed again from Windows-1252 when it reads as that
 * (cti_charset_guess()), with a note.
 */
static int text_article(cti_walker *w, const char *data, size_t len,
                        const char *display, const char *id,
                        const struct stat *st)
{
    cti_article a;
    if (cti_article_parse_text(data, len, &a)) {
        cti_source_report(w, display, 0, CTI_SOURCE_FAILED, "out of memory");
        return CTI_WALK_UNSEEN;
    }
    if (a.repaired &&
        strcmp(cti_charset_guess(data, len), CTI_CHARSET_CP1252) == 0) {
        size_t n;
        cti_article_release(&a);
        const char *u = convert(w, data, len, CTI_CHARSET_CP1252, &n);
        if (!u || cti_article_parse_text(u, n, &a)) {
            cti_source_report(w, display, 0, CTI_SOURCE_FAILED,
                              "out of memory");
            return CTI_WALK_UNSEEN;
        }
        cti_source_report(w, display, 0, CTI_SOURCE_NOTE,
                          "not UTF-8: read as Windows-1252 (Latin-1)");
    }
    if (a.body_len == 0 && !a.title) {
        cti_article_release(&a);
        cti_source_report(w, display, 0, CTI_SOURCE_PASSED,
                          len ? "only white space, skipped"
                              : "empty file, skipped");
        return CTI_WALK_SEEN;
    }
    return deliver_file(w, &a, display, id, st);
}

/* A web page from data[0, len): parse and deliver. */
static int page_article(cti_walker *w, const char *data, size_t len,
                        const char *display, const char *id,
                        const struct stat *st)
{
    cti_article a;
    char note[256];
    int r = cti_html_parse(data, len, &a, note, sizeof note);
    if (r == CTI_HTML_NOMEM) {
        cti_source_report(w, display, 0, CTI_SOURCE_FAILED, "out of memory");
        return CTI_WALK_UNSEEN;
    }
    if (r == CTI_HTML_EMPTY) {
        cti_source_report(w, display, 0, CTI_SOURCE_PASSED,
                          "a web page without article text, skipped");
        return CTI_WALK_SEEN;
    }
    if (r != CTI_HTML_OK) {
        cti_source_report(w, display, 0, CTI_SOURCE_FAILED,
                          "cannot be read as a web page: %s", note);
        return CTI_WALK_SEEN;
    }
    if (note[0])
        cti_source_report(w, display, 0, CTI_SOURCE_NOTE, "%s", note);
    return deliver_file(w, &a, display, id, st);
}

/* Where the records of a JSON or CSV file go. */
typedef struct records {
    cti_walker *w;
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
    cti_source_report(r->w, r->display, line, CTI_SOURCE_FAILED, "%s", msg);
}

/*
 * A JSON, CSV or TSV file from data[0, len): made valid UTF-8 (read as
 * Windows-1252 when it is not UTF-8, with a note; damaged UTF-8 repaired,
 * with a warning), then read record by record.
 */
static int record_file(cti_walker *w, cti_kind k, const char *data, size_t len,
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
                cti_source_report(w, display, 0, CTI_SOURCE_NOTE,
                                  "not UTF-8: read as Windows-1252 (Latin-1)");
        } else {
            char *fixed = cti_charset_repair(data, len, &n, &repaired);
            if (fixed) {
                free(w->conv);
                w->conv = fixed;
            }
            u = fixed;
            if (u)
                cti_source_report(w, display, 0, CTI_SOURCE_WARNING,
                                  "invalid UTF-8 replaced by U+FFFD");
        }
    }
    cti_status rc = !u ? CTI_ENOMEM
                    : k == CTI_KIND_JSON ? cti_json_read(u, n, w->fields, id,
                                                         &sink, &count)
                                  : cti_csv_read(u, n, k == CTI_KIND_TSV,
                                                 w->fields, id,
                                                 &sink, &count);
    if (rc != CTI_OK) {
        cti_source_report(w, display, 0, CTI_SOURCE_FAILED, "out of memory");
        return CTI_WALK_UNSEEN;
    }
    if (count == 0 && r.problems == 0)
        cti_source_report(w, display, 0, CTI_SOURCE_PASSED,
                          "no articles in it, skipped");
    return CTI_WALK_SEEN;
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
 * The content of a file of cti_kind k (not JSON lines), read or inflated:
 * UTF-16 converted, binary data passed over, then each kind to its
 * reader; a text file that starts like a web page is one.
 */
int cti_content_read(cti_walker *w, cti_kind k, const char *data,
                     size_t len, const char *display, const char *id,
                     const struct stat *st)
{
    const char *cs = utf16_bom(data, len);
    if (len == 0) {
        cti_source_report(w, display, 0, CTI_SOURCE_PASSED,
                          "empty file, skipped");
        return CTI_WALK_SEEN;
    }
    if (cs) {
        if (!(data = convert(w, data, len, cs, &len))) {
            cti_source_report(w, display, 0, CTI_SOURCE_FAILED,
                              "out of memory");
            return CTI_WALK_UNSEEN;
        }
    } else if (cti_source_is_binary(data, len)) {
        cti_source_report(w, display, 0, CTI_SOURCE_PASSED,
                          "binary data, skipped");
        w->unread = 1;
        return CTI_WALK_SEEN;
    }
    if (k == CTI_KIND_JSON || k == CTI_KIND_CSV || k == CTI_KIND_TSV)
        return record_file(w, k, data, len, display, id);
    if (k == CTI_KIND_HTML || cti_html_sniff(data, len))
        return page_article(w, data, len, display, id, st);
    return text_article(w, data, len, display, id, st);
}
