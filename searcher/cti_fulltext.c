/*
 * cti_fulltext.c - a stored article read whole, a window at a time.
 *
 * The buffer holds up to CONTEXT bytes already shown (context for the
 * analyzer), then the text to show next, then CONTEXT bytes read ahead.
 * A window shows its text up to a line end or space near the read-ahead,
 * keeps the matches that start in what it shows (one that runs on past
 * the cut moves the cut), and slides the buffer so the end of what it
 * showed becomes the next window's context.
 *
 * Reading a part of the body (cti_fulltext_part()) filters the bytes as
 * they are inflated, by their offset in the body: the window then holds
 * only the article's text, or only the text set aside.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cti_fulltext.h"

#define STEP (1u << 20)      /* new text per window */
#define CONTEXT (64u << 10)  /* text kept before and read after it */

struct cti_fulltext {
    cti_analyzer *a;
    const cti_hl_spec *spec;
    const char *data;
    size_t len;
    cti_record_text text;   /* the text kept apart, if it is */
    cti_record rec;
    cti_body_reader *rd;
    char *buf;
    size_t blen, cap;
    size_t from;            /* first byte of buf not yet shown */
    int eof;                /* the whole body is in buf or shown */
    int part;               /* CTI_FULLTEXT_* */
    uint64_t at;            /* offset in the body of the next byte read */
    size_t cursor;          /* the first set-aside range not yet passed */
    int inside;             /* ASIDE: a range's bytes were kept already */
    int kept;               /* a byte of the part was kept */
    unsigned newlines;      /* line ends just kept in a row */
    cti_snippet piece;
    char err[256];
};

cti_status cti_fulltext_open(cti_analyzer *a, const cti_hl_spec *spec,
                             const char *data, size_t len,
                             const cti_record_text *text, cti_fulltext **out,
                             char *err, size_t errlen)
{
    cti_fulltext *f = calloc(1, sizeof *f);
    *out = NULL;
    if (!f) {
        snprintf(err, errlen, "out of memory");
        return CTI_ENOMEM;
    }
    f->a = a;
    f->spec = spec && spec->ngroups ? spec : NULL;
    f->data = data;
    f->len = len;
    if (text)
        f->text = *text;
    f->cap = CONTEXT + STEP + CONTEXT;
    if (cti_record_open_body(data, len, &f->text, &f->rec, &f->rd, err,
                             errlen)) {
        free(f);
        return CTI_ECORRUPT;
    }
    f->buf = malloc(f->cap);
    if (!f->buf) {
        cti_fulltext_free(f);
        snprintf(err, errlen, "out of memory");
        return CTI_ENOMEM;
    }
    *out = f;
    return CTI_OK;
}

void cti_fulltext_free(cti_fulltext *f)
{
    if (!f)
        return;
    cti_snippet_release(&f->piece);
    cti_body_reader_free(f->rd);
    cti_record_release(&f->rec);
    free(f->buf);
    free(f);
}

const cti_record *cti_fulltext_record(const cti_fulltext *f)
{
    return &f->rec;
}

const char *cti_fulltext_error(const cti_fulltext *f)
{
    return f->err;
}

cti_status cti_fulltext_rewind(cti_fulltext *f)
{
    cti_record r;
    cti_body_reader *rd;
    f->err[0] = '\0';
    if (cti_record_open_body(f->data, f->len, &f->text, &r, &rd, f->err,
                             sizeof f->err))
        return CTI_ECORRUPT;
    cti_record_release(&r);
    cti_body_reader_free(f->rd);
    f->rd = rd;
    f->blen = f->from = 0;
    f->eof = 0;
    f->at = 0;
    f->cursor = 0;
    f->inside = 0;
    f->kept = 0;
    f->newlines = 0;
    return CTI_OK;
}

void cti_fulltext_part(cti_fulltext *f, int part)
{
    f->part = f->rec.naside ? part : part == CTI_FULLTEXT_ASIDE ? -1
                                                              : CTI_FULLTEXT_ALL;
}

/* Keep of the 'n' bytes at 'src' (the body from f->at on) those of the
   part being read, appending them to the buffer. */
static void keep_part(cti_fulltext *f, const char *src, size_t n)
{
    const cti_record_range *r = f->rec.aside;
    size_t nr = f->rec.naside;
    for (size_t i = 0; i < n; i++, f->at++) {
        while (f->cursor < nr && r[f->cursor].end <= f->at) {
            f->cursor++;
            f->inside = 0;
        }
        int aside = f->cursor < nr && r[f->cursor].start <= f->at;
        if (aside != (f->part == CTI_FULLTEXT_ASIDE))
            continue;
        if (aside && !f->inside && f->kept) {
            /* A blank line between two ranges (room was kept for it). */
            f->buf[f->blen++] = '\n';
            f->buf[f->blen++] = '\n';
            f->newlines = 2;
        }
        /* No blank lines where a range was taken out: at most one in a
           row, none first. */
        if (src[i] == '\n' && (!f->kept || f->newlines >= 2))
            continue;
        f->newlines = src[i] == '\n' ? f->newlines + 1 : 0;
        f->kept = 1;
        f->inside |= aside;
        f->buf[f->blen++] = src[i];
    }
}

static int is_break(unsigned char c)
{
    return c == '\n' || c == ' ' || c == '\t' || c == '\r';
}

/* How far back from the read-ahead a window looks for a line end. */
#define LOOK_BACK (16u << 10)

/* The last place in [lo, hi] (lo < hi), at most LOOK_BACK before hi, just
   after a line end, else just after a space, else hi moved back to a
   character boundary. */
static size_t cut_before(const char *b, size_t lo, size_t hi)
{
    if (hi - lo > LOOK_BACK)
        lo = hi - LOOK_BACK;
    for (size_t p = hi; p > lo; p--)
        if (b[p - 1] == '\n')
            return p;
    for (size_t p = hi; p > lo; p--)
        if (is_break((unsigned char)b[p - 1]))
            return p;
    while (hi > lo + 1 && ((unsigned char)b[hi] & 0xC0) == 0x80)
        hi--;
    return hi;
}

/* The first place in [lo, hi], at most LOOK_BACK after lo, just after a
   space or line end (else lo). */
static size_t start_after(const char *b, size_t lo, size_t hi)
{
    if (hi - lo > LOOK_BACK)
        hi = lo + LOOK_BACK;
    for (size_t p = lo; p < hi; p++)
        if (p == 0 || is_break((unsigned char)b[p - 1]))
            return p;
    return lo;
}

/* Read the body on until the buffer is full or the body ends. */
static cti_status fill(cti_fulltext *f)
{
    if (f->part < 0) { /* nothing set aside: an empty part */
        f->eof = 1;
        return CTI_OK;
    }
    while (f->part != CTI_FULLTEXT_ALL && !f->eof && f->blen + 3 < f->cap) {
        /* Read through a small window; each kept byte may bring two. */
        char tmp[4096];
        size_t want = (f->cap - f->blen - 2) / 3;
        ptrdiff_t n = cti_body_read(f->rd, tmp, want < sizeof tmp ? want
                                                                  : sizeof tmp,
                                    f->err, sizeof f->err);
        if (n < 0)
            return CTI_ECORRUPT;
        f->eof = n == 0;
        keep_part(f, tmp, (size_t)n);
    }
    while (f->part == CTI_FULLTEXT_ALL && !f->eof && f->blen < f->cap) {
        ptrdiff_t n = cti_body_read(f->rd, f->buf + f->blen, f->cap - f->blen,
                                    f->err, sizeof f->err);
        if (n < 0)
            return CTI_ECORRUPT;
        f->eof = n == 0;
        f->blen += (size_t)n;
    }
    return CTI_OK;
}

/*
 * The spans of the buffer that start in [f->from, *cut), as offsets from
 * f->from, into *out (*n); *cut moves past a span that runs on.
 */
static cti_status window_spans(cti_fulltext *f, size_t *cut, cti_span **out,
                               size_t *n)
{
    cti_span *sp = NULL;
    size_t nsp = 0, k = 0;
    *out = NULL;
    *n = 0;
    if (!f->spec)
        return CTI_OK;
    if (cti_snippet_spans(f->a, f->spec, f->buf, f->blen, 0, &sp, &nsp) != CTI_OK)
        return CTI_ENOMEM;
    for (size_t i = 0; i < nsp; i++) {
        if (sp[i].start < f->from || sp[i].start >= *cut)
            continue;
        if (sp[i].end > *cut)
            *cut = sp[i].end;
        sp[k].start = sp[i].start - f->from;
        sp[k++].end = sp[i].end - f->from;
    }
    *out = sp;
    *n = k;
    return CTI_OK;
}

cti_status cti_fulltext_next(cti_fulltext *f, cti_snippet *piece)
{
    cti_span *sp = NULL;
    size_t nsp = 0;
    f->err[0] = '\0';
    cti_snippet_release(&f->piece);
    memset(piece, 0, sizeof *piece);
    cti_status st = fill(f);
    if (st != CTI_OK)
        return st;
    if (f->eof && f->from >= f->blen)
        return CTI_DONE;
    size_t cut = f->eof ? f->blen : cut_before(f->buf, f->from, f->blen - CONTEXT);
    st = window_spans(f, &cut, &sp, &nsp);
    if (st == CTI_OK)
        st = cti_snippet_clean_lines(f->buf + f->from, cut - f->from, sp, nsp,
                                     &f->piece);
    free(sp);
    if (st != CTI_OK) {
        snprintf(f->err, sizeof f->err, "out of memory");
        return st;
    }
    /* Slide: what was shown last becomes the next window's context. */
    size_t keep = start_after(f->buf, cut > CONTEXT ? cut - CONTEXT : 0, cut);
    memmove(f->buf, f->buf + keep, f->blen - keep);
    f->blen -= keep;
    f->from = cut - keep;
    *piece = f->piece;
    return CTI_OK;
}
