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
 * and CTI_SLOT_HASH (cti_sync.c); the data is a cti_store record.  Its
 * body stream is written at zlib level 0 by default: Xapian's docdata
 * table compresses every record with zlib anyway, so the text is
 * deflated once (as small as level 9 in the record, and 11% less CPU).
 * Only stems are indexed (no unstemmed twins), which halves the postings
 * of Xapian's TermGenerator.  The title and body words are counted for
 * the spelling data as they go by (cti_spelling.c).
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
    uint32_t lastpos;
    char buf[CTI_MAX_TOKEN * 4 + 16];
} build_ctx;

/* cti_analyze() callback: count the word, post its stem(s). */
static int on_token(void *vctx, const cti_token *t)
{
    build_ctx *c = vctx;
    cti_status st;
    c->lastpos = t->pos;
    if (c->spell && (st = cti_spelling_count(c->spell, t, c->docno)) != CTI_OK)
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
    /* The callback's statuses come back as they are; -1 is libstemmer
       out of memory. */
    return rc < 0 ? CTI_ENOMEM : (cti_status)rc;
}

cti_status cti_docbuild_words(cti_analyzer *an, const char *title,
                              size_t title_len, const char *body,
                              size_t body_len, cti_smap *spell,
                              uint32_t docno)
{
    build_ctx c;
    cti_status st;
    memset(&c, 0, sizeof c);
    c.docno = docno;
    if ((st = field(an, &c, title, title_len, CTI_POS_TITLE, NULL, 0,
                    spell)) != CTI_OK)
        return st;
    return field(an, &c, body, body_len, CTI_POS_BODY, NULL, 0, spell);
}

/* Post the title, body, author and source of 'a'. */
static cti_status post_text(cti_analyzer *an, cti_doc *doc,
                            const cti_article *a, cti_smap *spell,
                            uint32_t docno)
{
    build_ctx c;
    cti_status st;
    memset(&c, 0, sizeof c);
    c.doc = doc;
    c.docno = docno;
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
    if ((st = field(an, &c, a->body, a->body_len, body0, NULL, 1, spell)) !=
        CTI_OK)
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
 * and the content hash.
 */
static cti_status add_id(cti_doc *doc, const cti_article *a, unsigned rflags)
{
    size_t idlen = strlen(a->id);
    char idterm[CTI_IDTERM_MAX + 1];
    cti_status st;
    size_t itl = cti_schema_idterm(a->id, idlen, idterm);
    if ((st = cti_doc_add_term(doc, idterm, itl, 0)) != CTI_OK)
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

/* The stored record: id, fields and the body (deflated at 'zlevel'). */
static cti_status set_record(cti_doc *doc, const cti_article *a, int zlevel)
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
    r.body = a->body;
    r.body_len = a->body ? a->body_len : 0;
    /* Encoding fails only when memory (ours or zlib's) runs out. */
    cti_status st = cti_record_encode(&r, zlevel, &data, &datalen);
    if (st != CTI_OK)
        return st;
    st = cti_doc_set_data(doc, data, datalen);
    free(data);
    return st;
}

cti_status cti_docbuild_article(cti_analyzer *an, cti_doc *doc,
                                const cti_article *a, unsigned rflags,
                                int zlevel, cti_smap *spell, uint32_t docno)
{
    cti_status st;
    cti_doc_clear(doc);
    if ((st = post_text(an, doc, a, spell, docno)) != CTI_OK ||
        (st = add_date(doc, a->ymd)) != CTI_OK ||
        (st = add_id(doc, a, rflags)) != CTI_OK)
        return st;
    return set_record(doc, a, zlevel);
}
