/*
 * cti_docbuild.c - an article into a Xapian document (the contract is
 * cti_schema.h).
 *
 * Title stems are posted unprefixed and under "S" from position
 * CTI_POS_TITLE (a title made from the body's opening: under "S" only;
 * one that is the whole body: not at all), body stems unprefixed from
 * CTI_POS_BODY (or right after a very long title); author stems under "A" and source stems under "XS"
 * from position 1; dates as Y/M/D boolean terms and "YYYYMMDD" in
 * CTI_SLOT_DATE; the id term "Q"+id; the sync record in CTI_SLOT_SOURCE
 * and CTI_SLOT_HASH (cti_sync.c); the data is a cti_store record, and
 * the text goes apart to CTI_SLOT_TEXT, compressed by cti_text.h (a
 * value is not compressed again by Xapian, as the record is).  Without a
 * text writer the text is in the record, its stream at zlib level 0 by
 * default: Xapian's docdata table compresses every record with zlib.
 * Only stems are indexed (no unstemmed twins), which halves the postings
 * of Xapian's TermGenerator.  The title and body words are counted for
 * the spelling data as they go by (cti_spelling.c).
 *
 * Cleaning (cti_clean.h): the body's page boilerplate is set aside first.
 * Its stems are posted under CTI_PREFIX_PAGE at their positions with no
 * weight (wdf 0: they do not count in the document's length), so they
 * are searched only with page:, and are not counted for spelling; the
 * ranges go in the record.  The kept stems also feed the fingerprint;
 * the template terms, the fingerprint and the copy cluster are added
 * after the id term.
 *
 * A web page's furniture (the text its markup calls navigation, header,
 * footer, aside, form or comments: a->aside) is stored and indexed after
 * the body, a blank line between, as one range set aside as layout
 * (without cleaning, as text like the rest).
 */
#include "cti_indexer_int.h"

#include "cti_schema.h"
#include "cti_store.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* What the token callback needs for one field. */
typedef struct build_ctx {
    cti_doc *doc;       /* post here, or NULL (only count words) */
    const char *prefix; /* post the stem under this prefix too, or NULL */
    size_t plen;
    int plain;          /* also post the unprefixed stem */
    cti_smap *spell;    /* count distinct words here, or NULL */
    uint32_t docno;
    uint32_t epoch;     /* a word's memo holds this: counted already */
    /* The spelling word waiting to be counted (spell_count()). */
    int have_word;
    uint64_t word_hash;
    size_t word_len;
    char word[CTI_SPELL_MAX];
    uint32_t lastpos;
    /* The body: its set-aside ranges, and where its kept words go. */
    const cti_record_range *aside;
    size_t naside, cursor;
    cti_clean *clean;
    char buf[CTI_MAX_TOKEN * 4 + 16];
} build_ctx;

/* Is byte 'off' of the body set aside?  Offsets come in increasing order. */
static int set_aside(build_ctx *c, size_t off)
{
    while (c->cursor < c->naside && c->aside[c->cursor].end <= off)
        c->cursor++;
    return c->cursor < c->naside && c->aside[c->cursor].start <= off;
}

/* A word set aside: under CTI_PREFIX_PAGE at its position, wdf 0. */
static cti_status post_aside(build_ctx *c, const cti_token *t)
{
    size_t pl = strlen(CTI_PREFIX_PAGE);
    size_t n = t->stemlen < sizeof c->buf - pl - 1 ? t->stemlen
                                                  : sizeof c->buf - pl - 1;
    if (!c->doc || t->stemlen == 0)
        return CTI_OK;
    memcpy(c->buf, CTI_PREFIX_PAGE, pl);
    memcpy(c->buf + pl, t->stem, n);
    return cti_doc_add_posting(c->doc, c->buf, pl + n, t->pos, 0);
}

/* Count the waiting spelling word, if any. */
static cti_status spell_flush(build_ctx *c)
{
    if (!c->have_word)
        return CTI_OK;
    c->have_word = 0;
    return cti_spelling_add(c->spell, c->word, c->word_len, c->word_hash, c->docno);
}

/*
 * Count spelling word 't' once for the document.  A word met again in
 * the document is not looked up in the map again (its mark says it was
 * counted); a word new to it waits while the next token is read, its
 * slot of the map asked for at once: the map is large, and a lookup
 * made at once would wait for memory.
 */
static cti_status spell_count(build_ctx *c, const cti_token *t)
{
    if ((t->memo && *t->memo == c->epoch) || !cti_spelling_word(t))
        return CTI_OK;
    if (t->memo)
        *t->memo = c->epoch;
    uint64_t h = cti_smap_hash(t->text, t->len);
    cti_smap_prefetch(c->spell, h);
    cti_status st = spell_flush(c);
    memcpy(c->word, t->text, t->len);
    c->word_len = t->len;
    c->word_hash = h;
    c->have_word = 1;
    return st;
}

/* cti_analyze() callback: count the word, post its stem(s). */
static int on_token(void *vctx, const cti_token *t)
{
    build_ctx *c = vctx;
    cti_status st;
    c->lastpos = t->pos;
    if (c->naside && set_aside(c, t->start))
        return post_aside(c, t);
    if (c->clean && t->stemlen)
        cti_clean_word(c->clean, t->stem, t->stemlen);
    if (c->spell && (st = spell_count(c, t)) != CTI_OK)
        return st;
    if (!c->doc || t->stemlen == 0)
        return CTI_OK;
    if (c->plain) {
        st = cti_doc_add_posting(c->doc, t->stem, t->stemlen, t->pos, 1);
        if (st != CTI_OK)
            return st;
    }
    if (c->plen) {
        size_t n = t->stemlen < sizeof c->buf - c->plen - 1
                       ? t->stemlen : sizeof c->buf - c->plen - 1;
        memcpy(c->buf, c->prefix, c->plen);
        memcpy(c->buf + c->plen, t->stem, n);
        st = cti_doc_add_posting(c->doc, c->buf, c->plen + n, t->pos, 1);
        if (st != CTI_OK)
            return st;
    }
    return CTI_OK;
}

/* Analyze one field from position 'pos0' into c. */
static cti_status field(cti_analyzer *an, build_ctx *c, const char *text,
                        size_t len, uint32_t pos0, const char *prefix,
                        int plain, cti_smap *spell)
{
    if (!text || !len)
        return CTI_OK;
    c->prefix = prefix;
    c->plen = prefix ? strlen(prefix) : 0;
    c->plain = plain;
    c->spell = spell;
    int rc = cti_analyze(an, text, len, pos0, on_token, c);
    cti_status st = spell_flush(c);
    /* The callback's statuses come back as they are; -1 is libstemmer
       out of memory. */
    return rc < 0 ? CTI_ENOMEM : rc ? (cti_status)rc : st;
}

cti_status cti_docbuild_words(cti_analyzer *an, const char *title,
                              size_t title_len, const char *body,
                              size_t body_len, const cti_record_range *aside,
                              size_t naside, cti_smap *spell, uint32_t docno)
{
    build_ctx c;
    cti_status st;
    memset(&c, 0, sizeof c);
    c.docno = docno;
    c.epoch = cti_analyzer_memo_epoch(an);
    if ((st = field(an, &c, title, title_len, CTI_POS_TITLE, NULL, 0,
                    spell)) != CTI_OK)
        return st;
    c.aside = aside;
    c.naside = naside;
    return field(an, &c, body, body_len, CTI_POS_BODY, NULL, 0, spell);
}

/* Post the title, the page text (body and furniture, its set-aside
   ranges apart), author and source of 'a'; the kept words of the page go
   to 'cl' too. */
static cti_status post_text(cti_analyzer *an, cti_doc *doc,
                            const cti_article *a, const char *page,
                            size_t page_len, cti_smap *spell, uint32_t docno,
                            const cti_record_range *aside, size_t naside,
                            cti_clean *cl)
{
    build_ctx c;
    cti_status st;
    memset(&c, 0, sizeof c);
    c.doc = doc;
    c.docno = docno;
    c.epoch = cti_analyzer_memo_epoch(an);
    /* A title made from the body (no headline given) is posted once: the
       body holds its words.  An opening sentence stands as the headline
       (title prefix only); a whole text of 20 words or fewer is no
       headline at all, so only its spelling is counted (as the stored
       record's title is when the article leaves). */
    size_t tlen = a->title ? strlen(a->title) : 0;
    c.doc = a->title_from == CTI_TITLE_WHOLE ? NULL : doc;
    if ((st = field(an, &c, a->title, tlen, CTI_POS_TITLE, CTI_PREFIX_TITLE,
                    a->title_from == CTI_TITLE_GIVEN, spell)) != CTI_OK)
        return st;
    c.doc = doc;
    if (a->title_from == CTI_TITLE_WHOLE)
        c.lastpos = 0;
    uint32_t body0 = CTI_POS_BODY;
    if (c.lastpos + 2 > body0)
        body0 = c.lastpos + 2;
    c.aside = aside;
    c.naside = naside;
    c.clean = cl;
    st = field(an, &c, page, page_len, body0, NULL, 1, spell);
    c.naside = 0;
    c.clean = NULL;
    if (st != CTI_OK)
        return st;
    if (a->author && (st = field(an, &c, a->author, strlen(a->author), 1,
                                 CTI_PREFIX_AUTHOR, 0, NULL)) != CTI_OK)
        return st;
    if (a->source)
        return field(an, &c, a->source, strlen(a->source), 1,
                     CTI_PREFIX_SOURCE, 0, NULL);
    return CTI_OK;
}

static cti_status add_bool(cti_doc *doc, const char *prefix, const char *s,
                           size_t n)
{
    char buf[32];
    size_t pl = strlen(prefix);
    memcpy(buf, prefix, pl);
    memcpy(buf + pl, s, n);
    return cti_doc_add_term(doc, buf, pl + n, 0);
}

/* The date terms (year, month and day as far as known) and value. */
static cti_status add_date(cti_doc *doc, const char *ymd)
{
    cti_status st;
    if (!ymd[0]) /* read by the walker; "" when undated */
        return CTI_OK;
    if ((st = add_bool(doc, CTI_PREFIX_YEAR, ymd, 4)) != CTI_OK)
        return st;
    if (memcmp(ymd + 4, "00", 2) &&
        (st = add_bool(doc, CTI_PREFIX_MONTH, ymd, 6)) != CTI_OK)
        return st;
    if (memcmp(ymd + 6, "00", 2) &&
        (st = add_bool(doc, CTI_PREFIX_DATE, ymd, 8)) != CTI_OK)
        return st;
    return cti_doc_set_value(doc, CTI_SLOT_DATE, ymd, 8);
}

/*
 * The id term and the sync record (cti_schema.h): "f SIZE MTIME ID" for
 * a text file, "r FLAGS CLEN CONTAINER ID" for a record of a collection
 * file (CONTAINER: its real path, CLEN bytes; empty for standard input),
 * and the content hash; with 'cl', the article's template terms,
 * fingerprint and cluster.
 */
static cti_status add_id(cti_doc *doc, const cti_article *a, unsigned rflags,
                         cti_clean *cl)
{
    size_t idlen = strlen(a->id);
    char idterm[CTI_IDTERM_MAX + 1];
    cti_status st;
    size_t itl = cti_schema_idterm(a->id, idlen, idterm);
    if ((st = cti_doc_add_term(doc, idterm, itl, 0)) != CTI_OK ||
        (cl && (st = cti_clean_finish(cl, doc, idterm, itl)) != CTI_OK))
        return st;
    char head[64];
    int hl;
    const char *cont = "";
    size_t clen = 0;
    int file = a->size >= 0 && a->mtime_ns >= 0 && a->line == 0;
    if (file) {
        hl = snprintf(head, sizeof head, "f %" PRId64 " %" PRId64 " ",
                      a->size, a->mtime_ns);
    } else {
        if (a->container) {
            cont = a->container;
            clen = strlen(cont);
        }
        hl = snprintf(head, sizeof head, "r %u %zu ", rflags, clen);
    }
    /* file: head id; record: head container ' ' id */
    size_t vl = (size_t)hl + (file ? 0 : clen + 1) + idlen;
    char *sv = malloc(vl);
    if (!sv)
        return CTI_ENOMEM;
    char *p = sv;
    memcpy(p, head, (size_t)hl);
    p += hl;
    if (!file) {
        memcpy(p, cont, clen);
        p += clen;
        *p++ = ' ';
    }
    memcpy(p, a->id, idlen);
    st = cti_doc_set_value(doc, CTI_SLOT_SOURCE, sv, vl);
    free(sv);
    if (st != CTI_OK)
        return st;
    char hex[17];
    snprintf(hex, sizeof hex, "%016" PRIx64, a->hash);
    return cti_doc_set_value(doc, CTI_SLOT_HASH, hex, 16);
}

/* The stored record: id, fields, the page text and its set-aside ranges.
   With a text writer the text goes apart, to CTI_SLOT_TEXT; otherwise it
   is deflated at 'zlevel' in the record. */
static cti_status set_record(cti_doc *doc, const cti_article *a,
                             const char *page, size_t page_len, int zlevel,
                             cti_text_writer *tw,
                             const cti_record_range *aside, size_t naside)
{
    cti_record r;
    char *data = NULL;
    size_t datalen = 0;
    memset(&r, 0, sizeof r);
    r.id = a->id;
    r.id_len = strlen(a->id);
#define FIELD(f)                                                 \
    if (a->f) {                                                  \
        r.f = a->f;                                              \
        r.f##_len = strlen(a->f);                                \
    }
    FIELD(title)
    FIELD(date)
    FIELD(author)
    FIELD(source)
    FIELD(url)
#undef FIELD
    r.body = page;
    r.body_len = page_len;
    r.aside = aside;
    r.naside = naside;
    /* Encoding fails only when memory (ours or zlib's) runs out. */
    cti_status st = tw ? cti_record_encode_apart(&r, &data, &datalen)
                       : cti_record_encode(&r, zlevel, &data, &datalen);
    if (st != CTI_OK)
        return st;
    if (tw && page_len) {
        char *text;
        size_t textlen;
        if ((st = cti_text_pack(tw, page, page_len, &text, &textlen)) ==
            CTI_OK) {
            st = cti_doc_set_value(doc, CTI_SLOT_TEXT, text, textlen);
            free(text);
        }
        if (st != CTI_OK) {
            free(data);
            return st;
        }
    }
    st = cti_doc_set_data(doc, data, datalen);
    free(data);
    return st;
}

/* The page of 'a': its body, or the body, a blank line and the page's
   furniture in new memory (*buf, caller frees; NULL when none was
   needed).  NULL on no memory. */
static const char *page_text(const cti_article *a, char **buf, size_t *len)
{
    *buf = NULL;
    *len = a->body_len;
    if (!a->aside_len)
        return a->body ? a->body : "";
    *len = a->body_len + 2 + a->aside_len;
    if (!(*buf = malloc(*len + 1)))
        return NULL;
    memcpy(*buf, a->body, a->body_len);
    memcpy(*buf + a->body_len, "\n\n", 2);
    memcpy(*buf + a->body_len + 2, a->aside, a->aside_len + 1);
    return *buf;
}

/* The set-aside ranges of 'cl' as record ranges, and the page furniture of
   'a' as one more (*out: caller frees). */
static cti_status aside_ranges(cti_clean *cl, const cti_article *a,
                               cti_record_range **out, size_t *n)
{
    const cti_boiler_range *r = cti_clean_ranges(cl, n);
    size_t total = *n + (a->aside_len != 0);
    *out = NULL;
    if (!total)
        return CTI_OK;
    if (!(*out = malloc(total * sizeof **out)))
        return CTI_ENOMEM;
    for (size_t i = 0; i < *n; i++)
        (*out)[i] = (cti_record_range){ r[i].start, r[i].end, r[i].kind };
    if (a->aside_len)
        (*out)[(*n)++] = (cti_record_range){
            a->body_len + 2, a->body_len + 2 + a->aside_len, CTI_BOILER_LAYOUT };
    return CTI_OK;
}

cti_status cti_docbuild_article(cti_analyzer *an, cti_doc *doc,
                                const cti_article *a, unsigned rflags,
                                int zlevel, cti_text_writer *tw,
                                cti_smap *spell, uint32_t docno,
                                cti_clean *cl, int in_db)
{
    cti_record_range *aside = NULL;
    size_t naside = 0, len;
    char *buf;
    cti_status st;
    cti_doc_clear(doc);
    const char *page = page_text(a, &buf, &len);
    if (!page)
        return CTI_ENOMEM;
    if (cl && ((st = cti_clean_article(cl, a, in_db)) != CTI_OK ||
               (st = aside_ranges(cl, a, &aside, &naside)) != CTI_OK))
        goto done;
    if ((st = post_text(an, doc, a, page, len, spell, docno, aside, naside,
                        cl)) == CTI_OK &&
        (st = add_date(doc, a->ymd)) == CTI_OK &&
        (st = add_id(doc, a, rflags, cl)) == CTI_OK)
        st = set_record(doc, a, page, len, zlevel, tw, aside, naside);
done:
    free(aside);
    free(buf);
    return st;
}
