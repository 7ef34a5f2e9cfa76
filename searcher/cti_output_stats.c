/*
 * cti_output_stats.c - the statistics of an index for people: one line
 * a fact, labels in a column, sizes in units that fit.
 */
#include <string.h>
#include <time.h>

#include "cti_output_int.h"
#include "cti_units.h"

#define LABEL_COLS 15

static void put_label(cti_printer *p, const char *label)
{
    int c = p->o.color;
    fprintf(p->f, "%s%-*s%s", c ? CTI_DIM : "", LABEL_COLS, label,
            c ? CTI_RESET : "");
}

/* The most frequent names of names->f[i], one a line, or "none". */
static void put_names(cti_printer *p, const char *label,
                      const cti_facets *names, size_t i)
{
    char num[32];
    const cti_facet *fc = names && i < names->n ? &names->f[i] : NULL;
    size_t lw = 0, cw = 0;
    put_label(p, label);
    if (!fc || !fc->n) {
        fputs("none recorded\n", p->f);
        return;
    }
    for (size_t k = 0; k < fc->n; k++) {
        size_t w = cti_output_columns(fc->v[k].label, strlen(fc->v[k].label));
        lw = w > lw ? w : lw;
    }
    lw = lw > 40 ? 40 : lw;
    cw = strlen(cti_units_thousands(fc->v[0].count, num, sizeof num));
    for (size_t k = 0; k < fc->n; k++) {
        if (k)
            fprintf(p->f, "%*s", LABEL_COLS, "");
        size_t w = cti_output_columns(fc->v[k].label, strlen(fc->v[k].label));
        cti_output_put_clean(p->f, fc->v[k].label);
        fprintf(p->f, "%*s  %*s\n", (int)(w < lw ? lw - w : 0), "", (int)cw,
                cti_units_thousands(fc->v[k].count, num, sizeof num));
    }
    if (fc->distinct > fc->n)
        fprintf(p->f, "%*s(%zu more)\n", LABEL_COLS, "", fc->distinct - fc->n);
}

/* The date range and how many articles have a date. */
static void put_dates(cti_printer *p, const cti_stats *st)
{
    char a[32], b[32];
    put_label(p, "dates");
    if (!st->dated)
        fputs("none: no article has a date\n", p->f);
    else if (!strcmp(st->first, st->last))
        fprintf(p->f, "%s", st->first);
    else
        fprintf(p->f, "%s to %s", st->first, st->last);
    if (st->dated)
        fprintf(p->f, " (%s dated, %s undated)\n",
                cti_units_thousands(st->dated, a, sizeof a),
                cti_units_thousands(st->undated, b, sizeof b));
}

/* The size on disk, then each part. */
static void put_sizes(cti_printer *p, const cti_stats *st)
{
    char u[CTI_UNITS_LEN];
    put_label(p, "size on disk");
    if (!st->databases) {
        fputs("unknown (remote databases)\n", p->f);
        return;
    }
    fprintf(p->f, "%s%s\n", cti_units_size(st->total, u, sizeof u),
            st->remote ? " (remote databases not counted)" : "");
    for (int k = 0; k < CTI_NPARTS; k++) {
        char label[32];
        snprintf(label, sizeof label, "  %s", cti_stats_part_name(k));
        put_label(p, label);
        fprintf(p->f, "%s\n", cti_units_size(st->bytes[k], u, sizeof u));
    }
}

cti_status cti_output_human_stats(cti_printer *p, const cti_stats *st,
                                  const char *path)
{
    char num[CTI_UNITS_LEN];
    put_label(p, "index");
    cti_output_put_clean(p->f, path);
    if (st->shards)
        fprintf(p->f, " (%u shards)", st->shards);
    if (st->remote)
        fprintf(p->f, " (%u remote)", st->remote);
    fputc('\n', p->f);
    put_label(p, "articles");
    fprintf(p->f, "%s\n", cti_units_thousands(st->articles, num, sizeof num));
    if (st->stories) {
        put_label(p, "stories");
        fprintf(p->f, "%s (copies of one story counted once)\n",
                cti_units_thousands(st->stories, num, sizeof num));
    }
    put_dates(p, st);
    put_label(p, "language");
    fprintf(p->f, "%s\n", st->language);
    put_label(p, "positions");
    fputs(st->pos_article ? "per article (their size is in postings)\n"
                          : "in the position table\n", p->f);
    put_label(p, "last update");
    if (st->updated) {
        char when[64];
        struct tm tm;
        localtime_r(&st->updated, &tm);
        strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S %z", &tm);
        fprintf(p->f, "%s\n", when);
    } else {
        fputs("unknown\n", p->f);
    }
    put_label(p, "segments");
    if (st->segments)
        fprintf(p->f, "%s waiting to be merged\n",
                cti_units_count(st->segments, "segment", "segments", num, sizeof num));
    else
        fputs("none waiting to be merged\n", p->f);
    put_sizes(p, st);
    put_names(p, "top sources", st->names, 0);
    put_names(p, "top authors", st->names, 1);
    return CTI_OK;
}
