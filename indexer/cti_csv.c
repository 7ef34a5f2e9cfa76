/*
 * cti_csv.c - CSV and TSV files with a header row, through libcsv.
 *
 * The file is fed to libcsv one physical line at a time, so the line
 * where each row starts is known (a quoted field may hold line breaks, so
 * a row may span lines), and so that after a malformed row the parser can
 * be started afresh on the next line.  Each complete row becomes a JSON
 * object keyed by the header's names and goes through cti_fields_emit(),
 * like a JSON record.
 */
#include "cti_csv.h"

#include <csv.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct cell {
    char *s;
    size_t n;
} cell;

typedef struct creader {
    struct csv_parser p;
    int tsv;
    unsigned char delim;
    cell *hdr;                  /* the header's names */
    size_t nhdr;
    int have_hdr;
    cell *row;                  /* the row being read */
    size_t nrow, caprow;
    int in_row;                 /* a row has started and not ended */
    unsigned long row_line;     /* the line it started on */
    const cti_fields *f;
    const char *scope;
    const cti_record_sink *outer;
    cti_record_sink sink;       /* counts, then calls outer */
    size_t count;
    int stop, nomem;
} creader;

static void bad(creader *r, unsigned long line, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    r->outer->bad(r->outer->ctx, line, msg);
}

static int count_article(void *ctx, cti_article *a)
{
    creader *r = ctx;
    r->count++;
    return r->outer->article(r->outer->ctx, a);
}

static void pass_bad(void *ctx, unsigned long line, const char *msg)
{
    creader *r = ctx;
    r->outer->bad(r->outer->ctx, line, msg);
}

static void free_cells(cell *c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(c[i].s);
}

static void row_clear(creader *r)
{
    free_cells(r->row, r->nrow);
    r->nrow = 0;
    r->in_row = 0;
}

/* libcsv: one field of the current row (data is NUL-terminated). */
static void on_field(void *data, size_t len, void *ctx)
{
    creader *r = ctx;
    if (r->nomem)
        return;
    if (r->nrow == r->caprow) {
        size_t nc = r->caprow ? r->caprow * 2 : 16;
        cell *n = realloc(r->row, nc * sizeof *n);
        if (!n) {
            r->nomem = 1;
            return;
        }
        r->row = n;
        r->caprow = nc;
    }
    char *s = malloc(len + 1);
    if (!s) {
        r->nomem = 1;
        return;
    }
    if (len)
        memcpy(s, data, len);
    s[len] = '\0';
    r->row[r->nrow].s = s;
    r->row[r->nrow++].n = len;
}

/* Does the row hold only empty fields (a blank line)? */
static int row_empty(const creader *r)
{
    for (size_t i = 0; i < r->nrow; i++)
        if (r->row[i].n)
            return 0;
    return 1;
}

/* The header just read: keep it, and check that a column holds text. */
static void take_header(creader *r)
{
    json_t *o = json_object();
    cti_article a;
    char err[400];
    r->hdr = r->row;
    r->nhdr = r->nrow;
    r->row = NULL;
    r->nrow = r->caprow = 0;
    r->have_hdr = 1;
    if (!o) {
        r->nomem = 1;
        return;
    }
    for (size_t i = 0; i < r->nhdr && !r->nomem; i++)
        if (json_object_set_new(o, r->hdr[i].s, json_string("x")))
            r->nomem = 1;
    cti_article_init(&a);
    int rc = r->nomem ? 0 : cti_fields_read(r->f, o, &a, err, sizeof err);
    cti_article_release(&a);
    json_decref(o);
    if (rc == CTI_FIELDS_NOMEM)
        r->nomem = 1;
    if (rc == CTI_FIELDS_BAD) {
        bad(r, r->row_line, "the header row names no column for the article "
                            "text (such as text, body, content or description)");
        r->stop = 1;
    }
}

/* A data row: check its width, make it a record, emit it. */
static void take_row(creader *r)
{
    size_t n = r->nrow;
    while (n > r->nhdr && r->row[n - 1].n == 0)
        n--;
    if (n != r->nhdr) {
        bad(r, r->row_line, "malformed %s row: %zu fields, the header has %zu",
            r->tsv ? "TSV" : "CSV", n, r->nhdr);
        return;
    }
    json_t *o = json_object();
    if (!o) {
        r->nomem = 1;
        return;
    }
    for (size_t i = 0; i < n && !r->nomem; i++) {
        if (r->row[i].n == 0)
            continue;
        json_t *v = json_stringn(r->row[i].s, r->row[i].n);
        if (!v || json_object_set_new(o, r->hdr[i].s, v))
            r->nomem = 1;
    }
    int rc = r->nomem ? 0 : cti_fields_emit(r->f, o, r->scope, r->row_line, &r->sink);
    json_decref(o);
    if (rc == CTI_FIELDS_NOMEM)
        r->nomem = 1;
    else if (rc)
        r->stop = 1;
}

/* libcsv: the end of a row. */
static void on_row(int c, void *ctx)
{
    creader *r = ctx;
    (void)c;
    if (r->nomem || r->stop) {
        row_clear(r);
        return;
    }
    if (row_empty(r))
        ;
    else if (!r->have_hdr)
        take_header(r);
    else
        take_row(r);
    row_clear(r);
}

/* Spaces trimmed around unquoted fields: blanks, and tabs unless the tab
   is the delimiter. */
static int csv_space(unsigned char c)
{
    return c == ' ' || c == '\t';
}

static int tsv_space(unsigned char c)
{
    return c == ' ';
}

static int parser_start(creader *r)
{
    if (csv_init(&r->p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
        return -1;
    csv_set_delim(&r->p, r->delim);
    csv_set_space_func(&r->p, r->tsv ? tsv_space : csv_space);
    return 0;
}

/* The delimiter of a CSV file: ';' when its first line has more of them
   than commas. */
static unsigned char csv_delim(const char *p, const char *end)
{
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    size_t commas = 0, semis = 0;
    for (const char *q = p; q < (nl ? nl : end); q++) {
        commas += *q == ',';
        semis += *q == ';';
    }
    return semis > commas ? ';' : ',';
}

static int blank(const char *p, const char *end)
{
    for (; p < end; p++)
        if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
            return 0;
    return 1;
}

/* Feed the lines of [p, end) to the parser, restarting it after a
   malformed row. */
static void feed(creader *r, const char *p, const char *end)
{
    unsigned long line = 1;
    while (p < end && !r->stop && !r->nomem) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *q = nl ? nl + 1 : end;
        if (!r->in_row && !blank(p, q)) {
            r->row_line = line;
            r->in_row = 1;
        }
        size_t n = csv_parse(&r->p, p, (size_t)(q - p), on_field, on_row, r);
        if (n != (size_t)(q - p) && !r->nomem && !r->stop) {
            if (csv_error(&r->p) != CSV_EPARSE) {
                r->nomem = 1;
                break;
            }
            bad(r, r->row_line, "malformed %s row: a quote inside an unquoted "
                                "field, or text after a closing quote",
                r->tsv ? "TSV" : "CSV");
            row_clear(r);
            csv_free(&r->p);
            if (parser_start(r)) {
                r->nomem = 1;
                break;
            }
        }
        line++;
        p = q;
    }
}

cti_status cti_csv_read(const char *data, size_t len, int tsv, const cti_fields *f,
                        const char *scope, const cti_record_sink *sink,
                        size_t *count)
{
    creader r;
    const char *p = data, *end = data + len;
    memset(&r, 0, sizeof r);
    r.tsv = tsv;
    r.f = f;
    r.scope = scope;
    r.outer = sink;
    r.sink.article = count_article;
    r.sink.bad = pass_bad;
    r.sink.ctx = &r;
    if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
        p += 3;
    r.delim = tsv ? '\t' : csv_delim(p, end);
    if (parser_start(&r))
        return CTI_ENOMEM;
    feed(&r, p, end);
    if (!r.stop && !r.nomem &&
        csv_fini(&r.p, on_field, on_row, &r) != 0 && !r.nomem)
        bad(&r, r.row_line, "malformed %s row: a quoted field is not closed "
                            "before the end of the file",
            tsv ? "TSV" : "CSV");
    if (!r.have_hdr && !r.nomem && !r.stop)
        bad(&r, 0, "no header row");
    csv_free(&r.p);
    row_clear(&r);
    free(r.row);
    free_cells(r.hdr, r.nhdr);
    free(r.hdr);
    if (count)
        *count = r.count;
    return r.nomem ? CTI_ENOMEM : CTI_OK;
}
