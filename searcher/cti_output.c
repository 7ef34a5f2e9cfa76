/*
 * cti_output.c - the printer of search results, and its human format
 * (the JSON format is in cti_output_json.c).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <utf8proc.h>

#include "cti_output.h"
#include "cti_escape.h"
#include "cti_output_int.h"
#include "cti_output_json.h"
#include "cti_units.h"

#define BOLD CTI_BOLD
#define DIM CTI_DIM
#define PATHC CTI_PATHC
#define RESET CTI_RESET

cti_status cti_printer_new(FILE *f, const cti_output_opts *o,
                           cti_printer **out)
{
    cti_printer *p = calloc(1, sizeof *p);
    *out = NULL;
    if (!p)
        return CTI_ENOMEM;
    p->f = f;
    p->o = *o;
    p->cwd = getcwd(NULL, 0); /* NULL: ids shown as stored */
    p->cwdlen = p->cwd ? strlen(p->cwd) : 0;
    if (o->hyperlinks) {
        char host[256];
        if (gethostname(host, sizeof host) == 0) {
            host[sizeof host - 1] = '\0';
            p->host = strdup(host); /* NULL: links without a host */
        }
    }
    *out = p;
    return CTI_OK;
}

void cti_printer_free(cti_printer *p)
{
    if (!p)
        return;
    free(p->cwd);
    free(p->host);
    free(p);
}

const char *cti_output_count(uint32_t n, char *buf, size_t len)
{
    return cti_units_thousands(n, buf, len);
}

/* The id as shown: relative to the current directory when below it. */
static const char *shown_id(const cti_printer *p, const char *id)
{
    if (p->cwd && p->cwdlen > 1 && !strncmp(id, p->cwd, p->cwdlen) &&
        id[p->cwdlen] == '/' && id[p->cwdlen + 1])
        return id + p->cwdlen + 1;
    return id;
}

void cti_output_put_clean(FILE *f, const char *s)
{
    cti_escape_fputs(f, s);
}

/* Write 's' percent-encoded for a file:// URL ('/' kept). */
static void put_url_path(FILE *f, const char *s)
{
    for (const unsigned char *u = (const unsigned char *)s; *u; u++) {
        if ((*u >= 'a' && *u <= 'z') || (*u >= 'A' && *u <= 'Z') ||
            (*u >= '0' && *u <= '9') || strchr("/-._~", *u))
            fputc(*u, f);
        else
            fprintf(f, "%%%02X", *u);
    }
}

void cti_output_put_id(const cti_printer *p, const char *id, int relative)
{
    const char *shown = relative ? shown_id(p, id) : id;
    /* OSC 8: ESC ] 8 ; ; URL ST text ESC ] 8 ; ; ST */
    int link = p->o.hyperlinks && id[0] == '/';
    if (link) {
        fprintf(p->f, "\033]8;;file://%s", p->host ? p->host : "");
        put_url_path(p->f, id);
        fputs("\033\\", p->f);
    }
    cti_output_put_clean(p->f, shown);
    if (link)
        fputs("\033]8;;\033\\", p->f);
}

size_t cti_output_columns(const char *s, size_t n)
{
    const utf8proc_uint8_t *u = (const utf8proc_uint8_t *)s;
    size_t cols = 0, i = 0;
    while (i < n) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t r = utf8proc_iterate(u + i, (utf8proc_ssize_t)(n - i), &cp);
        if (r <= 0) {
            cols++; /* shown as U+FFFD */
            i++;
            continue;
        }
        int w = utf8proc_charwidth(cp);
        cols += w > 0 ? (size_t)w : 0;
        i += (size_t)r;
    }
    return cols;
}

static cti_status human_hit(cti_printer *p, const cti_hit *h)
{
    const cti_output_opts *o = &p->o;
    int c = o->color;
    const cti_record *rec = &h->rec;
    char *title = NULL, *snip = NULL;
    cti_status st = CTI_ENOMEM;

    /* In colour the whole title is bold and its matches red (a reset
       would end the bold); otherwise its matches are marked as chosen. */
    if (c && o->style == CTI_HL_STYLE_ANSI)
        title = cti_snippet_render(&h->title, CTI_HL_STYLE_MARKERS,
                                   CTI_TITLE_ON, CTI_TITLE_OFF);
    else
        title = cti_snippet_render(&h->title, o->style, o->open, o->close);
    snip = cti_snippet_render(&h->snip, o->style, o->open, o->close);
    if (!title || !snip)
        goto done;
    FILE *f = p->f;
    fprintf(f, "%s%u. %s%s\n", c ? BOLD : "", h->rank,
            title[0] ? title : "(untitled)", c ? RESET : "");
    fprintf(f, "   %s", c ? PATHC : "");
    if (rec->id)
        cti_output_put_id(p, rec->id, 1);
    else
        fputs("?", f);
    fputs(c ? RESET : "", f);
    if (h->date[0])
        fprintf(f, "  %s%s%s", c ? DIM : "", h->date, c ? RESET : "");
    fprintf(f, "  %sscore %.2f%s\n", c ? DIM : "", h->score, c ? RESET : "");
    if (snip[0])
        fprintf(f, "   %s\n", snip);
    st = fprintf(f, "\n") < 0 ? CTI_EIO : CTI_OK;
done:
    free(title);
    free(snip);
    return st;
}

cti_status cti_printer_hit(cti_printer *p, const cti_hit *h)
{
    cti_status st = p->o.format == CTI_OUT_JSON ? cti_output_json_hit(p->f, h)
                                                : human_hit(p, h);
    if (st == CTI_EIO || ferror(p->f))
        return CTI_EIO;
    return st;
}

cti_status cti_printer_footer(cti_printer *p, const cti_results *r, double ms)
{
    char num[32], num2[32];
    if (p->o.format == CTI_OUT_JSON)
        return fflush(p->f) == 0 && !ferror(p->f) ? CTI_OK : CTI_EIO;
    int c = p->o.color;
    size_t n = cti_mset_size(r->mset);
    uint32_t first = n ? cti_mset_rank(r->mset, 0) + 1 : 0;
    if (r->exact)
        fprintf(p->f, "%s%s match%s", c ? DIM : "",
                cti_output_count(r->matches, num, sizeof num),
                r->matches == 1 ? "" : "es");
    else /* never a single number that may be wrong: a true range */
        fprintf(p->f, "%sbetween %s and %s matches", c ? DIM : "",
                cti_output_count(r->lower, num, sizeof num),
                cti_output_count(r->upper, num2, sizeof num2));
    if (n && (first > 1 || n < r->matches))
        fprintf(p->f, ", showing %u-%u", first, first + (uint32_t)n - 1);
    fprintf(p->f, ", %.1f ms%s\n", ms, c ? RESET : "");
    return fflush(p->f) == 0 && !ferror(p->f) ? CTI_OK : CTI_EIO;
}

/* Flush and say whether everything was written. */
static cti_status flushed(cti_printer *p)
{
    return fflush(p->f) == 0 && !ferror(p->f) ? CTI_OK : CTI_EIO;
}

/* The status of a printer call: CTI_EIO once anything failed to write. */
static cti_status wrote(cti_printer *p, cti_status st)
{
    return st == CTI_EIO || ferror(p->f) ? CTI_EIO : st;
}

cti_status cti_printer_count(cti_printer *p, uint32_t n)
{
    if (p->o.format == CTI_OUT_JSON)
        return wrote(p, cti_output_json_count(p->f, n));
    fprintf(p->f, "%u\n", n);
    return wrote(p, CTI_OK);
}

cti_status cti_printer_id(cti_printer *p, uint32_t rank, const char *id,
                          size_t len)
{
    if (p->o.format == CTI_OUT_JSON)
        return wrote(p, cti_output_json_id(p->f, rank, id, len));
    char *s = strndup(id, len); /* an id holds no NUL; cut at one if it did */
    if (!s)
        return CTI_ENOMEM;
    cti_output_put_id(p, s, 0);
    fputc('\n', p->f);
    free(s);
    return wrote(p, CTI_OK);
}

cti_status cti_printer_facets(cti_printer *p, const cti_facets *fs,
                              const char *query)
{
    if (p->o.format == CTI_OUT_JSON)
        return wrote(p, cti_output_json_facets(p->f, fs, query));
    return wrote(p, cti_output_human_facets(p, fs, query));
}

cti_status cti_printer_article(cti_printer *p, const cti_snippet *title,
                               const char *date, cti_fulltext *ft)
{
    if (p->o.format == CTI_OUT_JSON)
        return wrote(p, cti_output_json_article(p->f, date, ft));
    return wrote(p, cti_output_human_article(p, title, date, ft));
}

cti_status cti_printer_stats(cti_printer *p, const cti_stats *st,
                             const char *path)
{
    if (p->o.format == CTI_OUT_JSON)
        return wrote(p, cti_output_json_stats(p->f, st, path));
    return wrote(p, cti_output_human_stats(p, st, path));
}

cti_status cti_printer_end(cti_printer *p)
{
    return flushed(p);
}
