/*
 * cti_output.c - the printer of search results, and its human format
 * (the JSON format is in cti_output_json.c).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cti_output.h"
#include "cti_output_json.h"

#define BOLD "\033[1m"
#define DIM "\033[2m"
#define PATHC "\033[35m"
#define RESET "\033[0m"

struct cti_printer {
    FILE *f;
    cti_output_opts o;
    char *cwd;
    size_t cwdlen;
};

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
    *out = p;
    return CTI_OK;
}

void cti_printer_free(cti_printer *p)
{
    if (!p)
        return;
    free(p->cwd);
    free(p);
}

const char *cti_output_count(uint32_t n, char *buf, size_t len)
{
    char tmp[16];
    int k = snprintf(tmp, sizeof tmp, "%u", n), j = 0;
    for (int i = 0; i < k && (size_t)j + 2 < len; i++) {
        if (i && (k - i) % 3 == 0)
            buf[j++] = ',';
        buf[j++] = tmp[i];
    }
    buf[j] = '\0';
    return buf;
}

/* The id as shown: relative to the current directory when below it. */
static const char *shown_id(const cti_printer *p, const char *id)
{
    if (p->cwd && p->cwdlen > 1 && !strncmp(id, p->cwd, p->cwdlen) &&
        id[p->cwdlen] == '/' && id[p->cwdlen + 1])
        return id + p->cwdlen + 1;
    return id;
}

/*
 * Write 's' for a terminal: control characters (C0, DEL, C1) appear as
 * \xNN so a file name cannot carry escape sequences to the screen.
 */
static void put_clean(FILE *f, const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; u[i]; i++) {
        if (u[i] < 0x20 || u[i] == 0x7f)
            fprintf(f, "\\x%02X", u[i]);
        else if (u[i] == 0xC2 && u[i + 1] >= 0x80 && u[i + 1] <= 0x9F)
            fprintf(f, "\\x%02X", u[++i]);
        else
            fputc(u[i], f);
    }
}

static cti_status human_hit(cti_printer *p, const cti_hit *h)
{
    const cti_output_opts *o = &p->o;
    int c = o->color;
    const cti_record *rec = &h->rec;
    char *title = NULL, *snip = NULL;
    cti_status st = CTI_ENOMEM;

    /* In colour the whole title is bold; otherwise its matches are marked. */
    title = cti_snippet_render(&h->title, c ? CTI_HL_STYLE_NONE : o->style,
                               o->open, o->close);
    snip = cti_snippet_render(&h->snip, o->style, o->open, o->close);
    if (!title || !snip)
        goto done;
    FILE *f = p->f;
    fprintf(f, "%s%u. %s%s\n", c ? BOLD : "", h->rank,
            title[0] ? title : "(untitled)", c ? RESET : "");
    fprintf(f, "   %s", c ? PATHC : "");
    put_clean(f, rec->id ? shown_id(p, rec->id) : "?");
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
    char num[32];
    if (p->o.format == CTI_OUT_JSON)
        return fflush(p->f) == 0 && !ferror(p->f) ? CTI_OK : CTI_EIO;
    int c = p->o.color;
    size_t n = cti_mset_size(r->mset);
    uint32_t first = n ? cti_mset_rank(r->mset, 0) + 1 : 0;
    fprintf(p->f, "%s%s%s match%s", c ? DIM : "", r->exact ? "" : "about ",
            cti_output_count(r->matches, num, sizeof num),
            r->matches == 1 && r->exact ? "" : "es");
    if (n && (first > 1 || n < r->matches))
        fprintf(p->f, ", showing %u-%u", first, first + (uint32_t)n - 1);
    fprintf(p->f, ", %.1f ms%s\n", ms, c ? RESET : "");
    return fflush(p->f) == 0 && !ferror(p->f) ? CTI_OK : CTI_EIO;
}
