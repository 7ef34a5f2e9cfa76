/*
 * cti_output_facet.c - facets for people: one row a value, the label
 * left-aligned, the count right-aligned, and on a terminal a bar as long
 * as the count is large, drawn in eighths of a column with the Unicode
 * block elements U+2588..U+258F.
 */
#include <stdlib.h>
#include <string.h>

#include "cti_output_int.h"
#include "cti_units.h"

#define MAX_LABEL 40        /* columns; a longer label is cut with "…" */
#define BARC "\033[36m"

/* U+2588 (8/8) down to U+258F (1/8). */
static const char *const eighths[9] = {
    "", "\xE2\x96\x8F", "\xE2\x96\x8E", "\xE2\x96\x8D", "\xE2\x96\x8C",
    "\xE2\x96\x8B", "\xE2\x96\x8A", "\xE2\x96\x89", "\xE2\x96\x88"
};

/* A row's label as shown: control characters escaped, at most MAX_LABEL
   columns.  A new string (NULL: no memory); *cols its columns. */
static char *shown_label(const char *label, size_t *cols)
{
    char *s = NULL;
    size_t n = 0;
    FILE *m = open_memstream(&s, &n);
    if (!m)
        return NULL;
    cti_output_put_clean(m, label);
    if (fclose(m) != 0) {
        free(s);
        return NULL;
    }
    *cols = cti_output_columns(s, n);
    if (*cols <= MAX_LABEL)
        return s;
    /* Cut on a character boundary so that it and "…" fit. */
    size_t at = 0, c = 0;
    while (at < n) {
        size_t k = 1;
        while (at + k < n && ((unsigned char)s[at + k] & 0xC0) == 0x80)
            k++;
        size_t w = cti_output_columns(s + at, k);
        if (c + w > MAX_LABEL - 1)
            break;
        c += w;
        at += k;
    }
    char *t = realloc(s, at + 4);
    if (!t) {
        free(s);
        return NULL;
    }
    memcpy(t + at, "\xE2\x80\xA6", 4);
    *cols = c + 1;
    return t;
}

/* The rows of one facet, measured. */
typedef struct rows {
    char **label;
    size_t *cols;
    size_t n, lw, cw;
    uint32_t max;
} rows;

static void rows_free(rows *r)
{
    for (size_t i = 0; r->label && i < r->n; i++)
        free(r->label[i]);
    free(r->label);
    free(r->cols);
}

static cti_status rows_measure(const cti_facet *fc, rows *r)
{
    char num[32];
    memset(r, 0, sizeof *r);
    r->label = calloc(fc->n ? fc->n : 1, sizeof *r->label);
    r->cols = calloc(fc->n ? fc->n : 1, sizeof *r->cols);
    if (!r->label || !r->cols)
        return CTI_ENOMEM;
    r->n = fc->n;
    for (size_t i = 0; i < fc->n; i++) {
        r->label[i] = shown_label(fc->v[i].label, &r->cols[i]);
        if (!r->label[i])
            return CTI_ENOMEM;
        if (r->cols[i] > r->lw)
            r->lw = r->cols[i];
        if (fc->v[i].count > r->max)
            r->max = fc->v[i].count;
    }
    r->cw = strlen(cti_units_thousands(r->max, num, sizeof num));
    return CTI_OK;
}

/* A bar of 'count' against 'max' over 'width' columns. */
static void put_bar(FILE *f, uint32_t count, uint32_t max, size_t width)
{
    if (!count || !max || !width)
        return;
    uint64_t e = ((uint64_t)count * width * 8 + max / 2) / max;
    if (e == 0)
        e = 1; /* a count is never drawn as nothing */
    for (uint64_t i = 0; i < e / 8; i++)
        fputs(eighths[8], f);
    fputs(eighths[e % 8], f);
}

/* The line above a facet's rows. */
static void put_header(cti_printer *p, const cti_facet *fc, uint32_t matches)
{
    char num[CTI_UNITS_LEN];
    int c = p->o.color;
    fprintf(p->f, "%s%s%s  %s%s", c ? CTI_BOLD : "", cti_facet_name(fc->kind),
            c ? CTI_RESET : "", c ? CTI_DIM : "",
            cti_units_count(matches, "matching article", "matching articles",
                            num, sizeof num));
    if (matches && !fc->n && cti_facet_is_date(fc->kind) && !fc->coarse)
        fprintf(p->f, ", %s", matches == 1 ? "without a date"
                                           : "none of them with a date");
    else if (matches && !fc->n)
        fprintf(p->f, ", none with a %s", cti_facet_name(fc->kind));
    fprintf(p->f, "%s\n", c ? CTI_RESET : "");
}

/* The notes below a facet's rows: what was not counted or not shown. */
static void put_notes(cti_printer *p, const cti_facet *fc)
{
    char num[CTI_UNITS_LEN];
    static const char *const precision[] = { "", "", "a year", "a month" };
    int c = p->o.color, date = cti_facet_is_date(fc->kind);
    const char *dim = c ? CTI_DIM : "", *reset = c ? CTI_RESET : "";
    if (fc->n && fc->missing)
        fprintf(p->f, "%s%s %s%s%s\n", dim,
                cti_units_thousands(fc->missing, num, sizeof num),
                date ? "undated" : "without ",
                date ? "" : cti_facet_name(fc->kind), reset);
    if (fc->coarse) {
        int need = fc->kind == CTI_FACET_MONTH ? 2 : 3;
        fprintf(p->f, "%s%s dated only to %s%s%s\n", dim,
                cti_units_count(fc->coarse, "article", "articles", num, sizeof num),
                precision[need], need == 3 ? " or a year" : "", reset);
    }
    if (!date && fc->distinct > fc->n)
        fprintf(p->f, "%s%zu more not shown (--facet-limit)%s\n", dim,
                fc->distinct - fc->n, reset);
    if (date && fc->n && !fc->gaps)
        fprintf(p->f, "%speriods without matches left out (more than %u)%s\n",
                dim, CTI_FACET_MAX_PERIODS, reset);
}

/* One facet: header, rows, notes. */
static cti_status put_facet(cti_printer *p, const cti_facet *fc,
                            uint32_t matches)
{
    rows r;
    char num[32];
    cti_status st = rows_measure(fc, &r);
    int c = p->o.color;
    /* label, two spaces, count, a space, the bar, one column left free */
    size_t used = r.lw + 2 + r.cw + 1 + 1;
    size_t bar = p->o.width > used ? p->o.width - used : 0;
    if (st == CTI_OK) {
        put_header(p, fc, matches);
        for (size_t i = 0; i < fc->n; i++) {
            uint32_t n = fc->v[i].count;
            fputs(r.label[i], p->f);
            fprintf(p->f, "%*s  %s%*s%s", (int)(r.lw - r.cols[i]), "",
                    c && !n ? CTI_DIM : "", (int)r.cw,
                    cti_units_thousands(n, num, sizeof num),
                    c && !n ? CTI_RESET : "");
            if (n && bar) {
                fprintf(p->f, " %s", c ? BARC : "");
                put_bar(p->f, n, r.max, bar);
                fputs(c ? CTI_RESET : "", p->f);
            }
            fputc('\n', p->f);
        }
        put_notes(p, fc);
    }
    rows_free(&r);
    return st;
}

cti_status cti_output_human_facets(cti_printer *p, const cti_facets *fs,
                                   const char *query)
{
    cti_status st = CTI_OK;
    (void)query; /* the user typed it: the header does not repeat it */
    for (size_t i = 0; st == CTI_OK && i < fs->n; i++) {
        if (i)
            fputc('\n', p->f);
        st = put_facet(p, &fs->f[i], fs->matches);
    }
    return st;
}
