/*
 * cti_output_article.c - one whole article for people: a header of its
 * fields, a blank line, then its text, wrapped at spaces to the width of
 * the terminal when on one (a word wider than the line is cut), as it is
 * stored in a pipe; matches marked in the chosen highlight style.
 */
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "cti_output_int.h"

/* What a match is wrapped in, by highlight style. */
typedef struct marks {
    const char *on, *off;
    int html;
} marks;

static marks marks_of(const cti_output_opts *o)
{
    marks m = { "", "", 0 };
    switch (o->style) {
    case CTI_HL_STYLE_ANSI: m.on = "\033[1;31m"; m.off = "\033[0m"; break;
    case CTI_HL_STYLE_MARKERS:
        m.on = o->open ? o->open : "[";
        m.off = o->close ? o->close : "]";
        break;
    case CTI_HL_STYLE_HTML: m.on = "<mark>"; m.off = "</mark>"; m.html = 1; break;
    default: break;
    }
    return m;
}

/* The state of the text being wrapped. */
typedef struct wrap {
    FILE *f;
    size_t width;       /* columns of a line */
    size_t col;         /* columns written on this line */
    size_t spaces;      /* spaces seen after the last word, not written */
    char *word;         /* the word being read, marks included */
    size_t wlen, wcap, wcols;
    marks m;
    int oom;
} wrap;

static void word_put(wrap *w, const char *s, size_t n)
{
    if (w->oom)
        return;
    if (w->wlen + n > w->wcap) {
        size_t cap = w->wcap ? w->wcap * 2 : 256;
        while (cap < w->wlen + n)
            cap *= 2;
        char *p = realloc(w->word, cap);
        if (!p) {
            w->oom = 1;
            return;
        }
        w->word = p;
        w->wcap = cap;
    }
    memcpy(w->word + w->wlen, s, n);
    w->wlen += n;
}

/* Write the word read so far: on this line if it fits, else on the next. */
static void word_flush(wrap *w)
{
    if (!w->wlen)
        return;
    if (w->col > 0 && w->col + w->spaces + w->wcols > w->width) {
        fputc('\n', w->f);
        w->col = 0;
        w->spaces = 0;
    }
    for (; w->spaces; w->spaces--, w->col++)
        fputc(' ', w->f);
    fwrite(w->word, 1, w->wlen, w->f);
    w->col += w->wcols;
    w->wlen = w->wcols = 0;
}

/* One character 'c' (n bytes, 'cols' wide) of a word. */
static void word_char(wrap *w, const char *c, size_t n, size_t cols)
{
    if (w->wcols + cols > w->width) { /* a word wider than a line: cut it */
        word_flush(w);
        fputc('\n', w->f);
        w->col = 0;
    }
    if (w->m.html && (*c == '&' || *c == '<' || *c == '>' || *c == '"' ||
                      *c == '\'')) {
        const char *rep = *c == '&' ? "&amp;" : *c == '<' ? "&lt;"
                        : *c == '>' ? "&gt;" : *c == '"' ? "&quot;" : "&#39;";
        word_put(w, rep, strlen(rep));
    } else {
        word_put(w, c, n);
    }
    w->wcols += cols;
}

/* One piece of text, wrapped; its spans marked. */
static void wrap_piece(wrap *w, const cti_snippet *piece)
{
    const char *t = piece->text;
    size_t sp = 0;
    for (size_t i = 0; i < piece->len && !w->oom;) {
        if (sp < piece->nspans && piece->spans[sp].end == i) {
            word_put(w, w->m.off, strlen(w->m.off));
            sp++;
        }
        if (sp < piece->nspans && piece->spans[sp].start == i)
            word_put(w, w->m.on, strlen(w->m.on));
        if (t[i] == '\n') {
            word_flush(w);
            fputc('\n', w->f);
            w->col = w->spaces = 0;
            i++;
            continue;
        }
        if (t[i] == ' ') {
            word_flush(w);
            w->spaces++;
            i++;
            continue;
        }
        utf8proc_int32_t cp;
        utf8proc_ssize_t r = utf8proc_iterate((const utf8proc_uint8_t *)t + i,
                                              (utf8proc_ssize_t)(piece->len - i), &cp);
        size_t n = r > 0 ? (size_t)r : 1;
        int cols = r > 0 ? utf8proc_charwidth(cp) : 1;
        word_char(w, t + i, n, cols > 0 ? (size_t)cols : 0);
        i += n;
    }
    if (piece->nspans && sp < piece->nspans && piece->spans[sp].end == piece->len)
        word_put(w, w->m.off, strlen(w->m.off));
}

/* The text of 'ft' from its start; ends with a line end. */
static cti_status put_text(cti_printer *p, cti_fulltext *ft)
{
    wrap w;
    cti_snippet piece;
    cti_status st;
    int last = '\n';
    memset(&w, 0, sizeof w);
    w.f = p->f;
    w.width = p->o.width;
    w.m = marks_of(&p->o);
    while ((st = cti_fulltext_next(ft, &piece)) == CTI_OK) {
        if (piece.len)
            last = piece.text[piece.len - 1];
        if (w.width) {
            wrap_piece(&w, &piece);
        } else {
            char *s = cti_snippet_render(&piece, p->o.style, p->o.open,
                                         p->o.close);
            if (!s) {
                st = CTI_ENOMEM;
                break;
            }
            fputs(s, p->f);
            free(s);
        }
        if (w.oom) {
            st = CTI_ENOMEM;
            break;
        }
        if (ferror(p->f)) {
            st = CTI_EIO;
            break;
        }
    }
    word_flush(&w);
    free(w.word);
    if (st == CTI_DONE && (last != '\n' || w.col))
        fputc('\n', p->f);
    return st == CTI_DONE ? CTI_OK : st;
}

/* A header line "Label:  value" for a field that is there. */
static void put_field(cti_printer *p, const char *label, const char *v)
{
    if (!v || !v[0])
        return;
    int c = p->o.color;
    fprintf(p->f, "%s%-8s%s", c ? CTI_DIM : "", label, c ? CTI_RESET : "");
    cti_output_put_clean(p->f, v);
    fputc('\n', p->f);
}

cti_status cti_output_human_article(cti_printer *p, const cti_snippet *title,
                                    const char *date, cti_fulltext *ft)
{
    const cti_output_opts *o = &p->o;
    const cti_record *rec = cti_fulltext_record(ft);
    int c = o->color;
    /* In colour the title is bold and its matches red; else as chosen. */
    char *t = c && o->style == CTI_HL_STYLE_ANSI
                  ? cti_snippet_render(title, CTI_HL_STYLE_MARKERS, CTI_TITLE_ON,
                                       CTI_TITLE_OFF)
                  : cti_snippet_render(title, o->style, o->open, o->close);
    if (!t)
        return CTI_ENOMEM;
    fprintf(p->f, "%s%s%s\n", c ? CTI_BOLD : "", t[0] ? t : "(untitled)",
            c ? CTI_RESET : "");
    free(t);
    /* The date as read when indexed (as hits show it), else as written. */
    put_field(p, "Date:", date && date[0] ? date : rec->date);
    put_field(p, "Author:", rec->author);
    put_field(p, "Source:", rec->source);
    put_field(p, "URL:", rec->url);
    fprintf(p->f, "%s%-8s%s%s", c ? CTI_DIM : "", "Id:", c ? CTI_RESET : "",
            c ? CTI_PATHC : "");
    cti_output_put_id(p, rec->id ? rec->id : "", 0);
    fprintf(p->f, "%s\n\n", c ? CTI_RESET : "");
    cti_fulltext_part(ft, CTI_FULLTEXT_ARTICLE);
    cti_status st = put_text(p, ft);
    if (st != CTI_OK || !rec->naside)
        return st;
    /* Then what was set aside as page boilerplate, marked as such. */
    fprintf(p->f, "\n%s-- set aside as page boilerplate (", c ? CTI_DIM : "");
    unsigned seen = 0;
    for (size_t i = 0; i < rec->naside; i++) {
        unsigned k = rec->aside[i].kind;
        if (k < 32 && (seen >> k & 1))
            continue;
        seen |= k < 32 ? 1u << k : 0;
        fprintf(p->f, "%s%s", i ? ", " : "", cti_record_kind_name(k));
    }
    fprintf(p->f, ") --%s\n\n", c ? CTI_RESET : "");
    if ((st = cti_fulltext_rewind(ft)) != CTI_OK)
        return st;
    cti_fulltext_part(ft, CTI_FULLTEXT_ASIDE);
    return put_text(p, ft);
}
