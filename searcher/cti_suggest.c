/*
 * cti_suggest.c - "did you mean" (see cti_suggest.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cti_distance.h"
#include "cti_schema.h"
#include "cti_suggest.h"

#define MAX_CANDS 4      /* alternatives kept per word */
#define MAX_COMBOS 4096  /* corrected queries ranked at most */
#define MAX_TRIES 40     /* corrected queries run at most */
#define MIN_WORD 3       /* shorter words are not corrected */
#define COUNT_TO 100     /* articles a corrected query is counted to */
#define MAX_WORD 32      /* nor longer ones (the spelling data's limits) */

typedef struct cand {
    char *word;      /* folded, as the spelling data holds it */
    unsigned dist;   /* edits from the typed word */
    uint32_t freq;   /* articles holding it */
} cand;

typedef struct qword {
    size_t start, end;   /* bytes in the query */
    char *folded;
    char *term;          /* field prefix + stem */
    size_t plen;         /* length of the field prefix */
    uint32_t tf;         /* articles holding the term */
    int fixable;         /* a word correction may replace */
    uint64_t letters;    /* the bytes of folded, each as bit (byte & 63) */
    cand c[MAX_CANDS];
    size_t nc;
} qword;

typedef struct words {
    cti_search *s;
    const char *text;
    qword *w;
    size_t n;
    cti_status st;
} words;

/* One corrected query: the choice for each word (0: as typed, k: c[k-1]). */
typedef struct combo {
    unsigned char *pick;
    unsigned changes, dist;
    uint64_t freq;
} combo;

static void words_release(words *ws)
{
    for (size_t i = 0; i < ws->n; i++) {
        free(ws->w[i].folded);
        free(ws->w[i].term);
        for (size_t k = 0; k < ws->w[i].nc; k++)
            free(ws->w[i].c[k].word);
    }
    free(ws->w);
}

static int fixable(const char *folded)
{
    size_t n = strlen(folded);
    if (n < MIN_WORD || n > MAX_WORD)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (isdigit((unsigned char)folded[i]))
            return 0;
    return 1;
}

static int collect(void *ctx, size_t start, size_t end, const char *folded,
                   const char *term)
{
    words *ws = ctx;
    qword *w = realloc(ws->w, (ws->n + 1) * sizeof *w);
    if (!w) {
        ws->st = CTI_ENOMEM;
        return 1;
    }
    ws->w = w;
    w = &ws->w[ws->n];
    memset(w, 0, sizeof *w);
    w->start = start;
    w->end = end;
    w->folded = strdup(folded);
    w->term = strdup(term);
    if (!w->folded || !w->term) {
        free(w->folded);
        free(w->term);
        ws->st = CTI_ENOMEM;
        return 1;
    }
    ws->n++;
    while (term[w->plen] >= 'A' && term[w->plen] <= 'Z')
        w->plen++;
    w->fixable = fixable(folded);
    cti_status st = cti_db_termfreq(cti_search_db(ws->s), term, strlen(term), &w->tf);
    if (st != CTI_OK) {
        ws->st = st;
        return 1;
    }
    return 0;
}

/* Keep 'word' among w's best candidates (fewest edits, then most used). */
static cti_status add_cand(qword *w, const char *word, size_t len,
                           unsigned dist, uint32_t freq)
{
    size_t at = w->nc;
    while (at > 0 && (w->c[at - 1].dist > dist ||
                      (w->c[at - 1].dist == dist && w->c[at - 1].freq < freq)))
        at--;
    if (at >= MAX_CANDS)
        return CTI_OK;
    char *c = strndup(word, len);
    if (!c)
        return CTI_ENOMEM;
    if (w->nc == MAX_CANDS)
        free(w->c[--w->nc].word);
    memmove(&w->c[at + 1], &w->c[at], (w->nc - at) * sizeof *w->c);
    w->c[at] = (cand){ c, dist, freq };
    w->nc++;
    return CTI_OK;
}

/* The bytes of s[0, len) as a set: bit (byte & 63) for each. */
static uint64_t letters(const char *s, size_t len)
{
    uint64_t m = 0;
    for (size_t i = 0; i < len; i++)
        m |= (uint64_t)1 << ((unsigned char)s[i] & 63);
    return m;
}

/*
 * Offer the spelling word sw, the current word of 'it' (whose frequency
 * is looked up for a near word only), to every word it is near.  An edit
 * adds a letter, takes one away or both, so words d edits apart differ
 * in at most 2d letters: those that differ in more are passed over
 * without counting their edits (most of the spelling data).
 */
static cti_status offer(words *ws, const char *sw, size_t len, cti_termiter *it)
{
    uint64_t have = 0;
    int have_set = 0;
    for (size_t i = 0; i < ws->n; i++) {
        qword *w = &ws->w[i];
        if (!w->fixable)
            continue;
        size_t fl = strlen(w->folded);
        unsigned max = fl <= 4 ? 1 : 2;
        if ((fl > len ? fl - len : len - fl) > max)
            continue;
        if (!have_set) {
            have = letters(sw, len);
            have_set = 1;
        }
        if ((unsigned)__builtin_popcountll(have ^ w->letters) > 2 * max)
            continue;
        unsigned d = cti_edit_distance(w->folded, fl, sw, len, max);
        if (d == 0 || d > max)
            continue;
        uint32_t freq = 0;
        cti_status st = cti_termiter_freq(it, &freq);
        if (st == CTI_OK)
            st = add_cand(w, sw, len, d, freq);
        if (st != CTI_OK)
            return st;
    }
    return CTI_OK;
}

/* Candidates from Xapian's single best suggestion (an index whose
   spelling data cannot be walked, such as a remote one). */
static cti_status fallback_cands(words *ws)
{
    for (size_t i = 0; i < ws->n; i++) {
        qword *w = &ws->w[i];
        char *sw = NULL;
        if (!w->fixable || w->tf)
            continue;
        cti_status st = cti_db_spelling_suggest(cti_search_db(ws->s), w->folded,
                                                strlen(w->folded), 2, &sw);
        if (st == CTI_OK && sw && sw[0]) {
            size_t fl = strlen(w->folded), l = strlen(sw);
            st = add_cand(w, sw, l, cti_edit_distance(w->folded, fl, sw, l, 2), 0);
        }
        free(sw);
        if (st == CTI_ENOMEM)
            return st;
    }
    return CTI_OK;
}

/* Drop the candidates that would not change the search (same stem) or that
   the word's field does not hold. */
static cti_status check_cands(words *ws)
{
    cti_analyzer *a = cti_search_analyzer(ws->s);
    char buf[CTI_MAX_TOKEN * 4 + 16];
    for (size_t i = 0; i < ws->n; i++) {
        qword *w = &ws->w[i];
        size_t keep = 0;
        for (size_t k = 0; k < w->nc; k++) {
            size_t sl;
            const char *stem = cti_analyzer_stem(a, w->c[k].word,
                                                 strlen(w->c[k].word), &sl);
            int n = snprintf(buf, sizeof buf, "%.*s%.*s", (int)w->plen, w->term,
                             (int)sl, stem);
            uint32_t tf = 0;
            if (n > 0 && (size_t)n < sizeof buf && strcmp(buf, w->term) != 0) {
                cti_status st = cti_db_termfreq(cti_search_db(ws->s), buf,
                                                (size_t)n, &tf);
                if (st != CTI_OK)
                    return st;
            }
            if (tf)
                w->c[keep++] = w->c[k];
            else
                free(w->c[k].word);
        }
        w->nc = keep;
    }
    return CTI_OK;
}

/*
 * Candidates for the words of author: and source:, which the spelling data
 * does not hold: the field's own terms (stems) near the word's stem.
 */
static cti_status field_cands(words *ws)
{
    for (size_t i = 0; i < ws->n; i++) {
        qword *w = &ws->w[i];
        if (!w->fixable || !w->plen || !strncmp(w->term, CTI_PREFIX_TITLE, w->plen))
            continue;
        char prefix[8] = "";
        memcpy(prefix, w->term, w->plen < sizeof prefix ? w->plen : sizeof prefix - 1);
        cti_termiter *it = NULL;
        const char *t;
        size_t tl, ql = strlen(w->term) - w->plen;
        uint32_t freq;
        unsigned max = ql <= 4 ? 1 : 2;
        cti_status st = cti_db_terms(cti_search_db(ws->s), prefix, 0, &it);
        while (st == CTI_OK && (st = cti_termiter_next(it, &t, &tl, &freq)) == CTI_OK) {
            if (tl <= w->plen || (t[w->plen] >= 'A' && t[w->plen] <= 'Z'))
                continue;    /* a longer prefix (another field) */
            unsigned d = cti_edit_distance(w->term + w->plen, ql, t + w->plen,
                                           tl - w->plen, max);
            if (d >= 1 && d <= max)
                st = add_cand(w, t + w->plen, tl - w->plen, d, freq);
        }
        cti_termiter_free(it);
        if (st != CTI_DONE && st != CTI_OK)
            return st;
    }
    return CTI_OK;
}

/* Every word's candidates, in one pass over the spelling data. */
static cti_status gather(words *ws)
{
    cti_termiter *it = NULL;
    const char *t;
    size_t tl;
    for (size_t i = 0; i < ws->n; i++)
        ws->w[i].letters = letters(ws->w[i].folded, strlen(ws->w[i].folded));
    cti_status st = cti_db_spellings(cti_search_db(ws->s), &it);
    if (st != CTI_OK) {
        st = fallback_cands(ws);
    } else {
        while ((st = cti_termiter_next(it, &t, &tl, NULL)) == CTI_OK)
            if ((st = offer(ws, t, tl, it)) != CTI_OK)
                break;
        cti_termiter_free(it);
        if (st == CTI_DONE)
            st = CTI_OK;
    }
    if (st == CTI_OK)
        st = field_cands(ws);
    return st == CTI_OK ? check_cands(ws) : st;
}

/* ---------------------------------------------------------------- */
/* Corrected queries                                                */
/* ---------------------------------------------------------------- */

/* The typed text with the picks of 'c' in place, the typed case kept
   ("Muller" -> "Mueller", "KUSHNR" -> "KUSHNER"); NULL on no memory. */
static char *spell_out(const words *ws, const unsigned char *pick)
{
    size_t len = strlen(ws->text), n = len + 1;
    for (size_t i = 0; i < ws->n; i++)
        if (pick[i])
            n += strlen(ws->w[i].c[pick[i] - 1].word);
    char *r = malloc(n), *p = r;
    size_t at = 0;
    if (!r)
        return NULL;
    for (size_t i = 0; i < ws->n; i++) {
        const qword *w = &ws->w[i];
        if (!pick[i] || w->start < at)
            continue;
        memcpy(p, ws->text + at, w->start - at);
        p += w->start - at;
        const char *c = w->c[pick[i] - 1].word, *typed = ws->text + w->start;
        int all_upper = w->end - w->start > 1;
        for (size_t k = w->start; k < w->end; k++)
            if (islower((unsigned char)ws->text[k]))
                all_upper = 0;
        for (size_t k = 0; c[k]; k++) {
            int up = all_upper || (k == 0 && isupper((unsigned char)typed[0]));
            *p++ = up ? (char)toupper((unsigned char)c[k]) : c[k];
        }
        at = w->end;
    }
    memcpy(p, ws->text + at, len - at);
    p[len - at] = '\0';
    return r;
}

/*
 * How many articles 'xq' finds: exact up to COUNT_TO, else about (Xapian's
 * estimate); 0: none.  Without weights, so that Xapian stops at the
 * COUNT_TO-th match, however many a common word has in a large index.
 */
static cti_status count_to(cti_db *db, const cti_xq *xq, uint32_t *out)
{
    cti_xq *bq = NULL;
    cti_enquire *e = NULL;
    cti_mset *m = NULL;
    *out = 0;
    cti_status st = cti_xq_scale(xq, 0, &bq);
    if (st == CTI_OK)
        st = cti_enquire_new(db, &e);
    if (st == CTI_OK)
        st = cti_enquire_set_query(e, bq);
    if (st == CTI_OK)
        st = cti_enquire_run(e, 0, 0, COUNT_TO, &m);
    if (st == CTI_OK && cti_mset_matches_lower(m))
        *out = cti_mset_matches_estimated(m);
    cti_mset_free(m);
    cti_enquire_free(e);
    cti_xq_free(bq);
    return st;
}

/* How many articles the corrected query 'text' finds (count_to()); one
   that cannot run (it does not parse, or a remote shard refuses it)
   finds none. */
static cti_status hits_of(cti_search *s, const char *text, unsigned flags,
                          uint32_t *out)
{
    cti_query *q = NULL;
    cti_xq *xq = NULL;
    *out = 0;
    cti_status st = cti_query_parse(text, cti_search_analyzer(s), flags, &q, NULL);
    if (st == CTI_OK)
        st = cti_query_to_xq(q, NULL, &xq);
    if (st == CTI_OK)
        st = count_to(cti_search_db(s), xq, out);
    cti_xq_free(xq);
    cti_query_free(q);
    return st == CTI_EINVAL ? CTI_OK : st;
}

/* --any: how many articles hold every known word of the corrected
   question together (how well the corrections go with the rest). */
static cti_status together(const words *ws, const unsigned char *pick,
                           uint32_t *out)
{
    cti_analyzer *a = cti_search_analyzer(ws->s);
    cti_xq **subs = calloc(ws->n ? ws->n : 1, sizeof *subs), *q = NULL;
    size_t ns = 0;
    cti_status st = subs ? CTI_OK : CTI_ENOMEM;
    char buf[CTI_MAX_TOKEN * 4 + 16];
    *out = 0;
    for (size_t i = 0; st == CTI_OK && i < ws->n; i++) {
        const qword *w = &ws->w[i];
        int n;
        if (pick[i]) {
            size_t sl;
            const char *c = w->c[pick[i] - 1].word;
            const char *stem = cti_analyzer_stem(a, c, strlen(c), &sl);
            n = snprintf(buf, sizeof buf, "%.*s%.*s", (int)w->plen, w->term,
                         (int)sl, stem);
        } else if (w->tf) {
            n = snprintf(buf, sizeof buf, "%s", w->term);
        } else {
            continue;
        }
        if (n > 0 && (size_t)n < sizeof buf)
            st = cti_xq_term(buf, (size_t)n, 1, 0, &subs[ns++]);
    }
    if (st == CTI_OK && ns)
        st = cti_xq_combine(CTI_XQ_AND, subs, ns, 0, &q);
    if (st == CTI_OK && q)
        st = count_to(cti_search_db(ws->s), q, out);
    cti_xq_free(q);
    for (size_t i = 0; i < ns; i++)
        cti_xq_free(subs[i]);
    free(subs);
    return st;
}

static int cmp_combo(const void *a, const void *b)
{
    const combo *x = a, *y = b;
    if (x->changes != y->changes)
        return x->changes < y->changes ? -1 : 1;
    if (x->dist != y->dist)
        return x->dist < y->dist ? -1 : 1;
    return x->freq > y->freq ? -1 : x->freq < y->freq;
}

/* The choices each word may take: 1 + its candidates, or fewer so that
   there are at most MAX_COMBOS corrected queries.  --any corrects only the
   words no article holds, and always corrects those. */
static void limit_choices(const words *ws, int any, size_t *nopt)
{
    for (int pass = 0; pass < 3; pass++) {
        uint64_t product = 1;
        for (size_t i = 0; i < ws->n; i++) {
            const qword *w = &ws->w[i];
            size_t nc = w->nc;
            if ((any || pass >= 1) && w->tf)
                nc = 0;      /* keep a word the index holds */
            if (pass >= 2 && nc > 1)
                nc = 1;
            nopt[i] = 1 + nc;
            if (product <= MAX_COMBOS)
                product *= nopt[i];
        }
        if (product <= MAX_COMBOS)
            return;
    }
}

/* Every corrected query (at least one change; --any: every unknown word
   with candidates changed), ranked nearest first, into *out. */
static cti_status combos(const words *ws, int any, combo **out, size_t *nout)
{
    size_t *nopt = calloc(ws->n ? ws->n : 1, sizeof *nopt);
    unsigned char *cur = calloc(ws->n ? ws->n : 1, 1);
    combo *v = NULL;
    size_t n = 0;
    cti_status st = nopt && cur ? CTI_OK : CTI_ENOMEM;
    if (st == CTI_OK)
        limit_choices(ws, any, nopt);
    while (st == CTI_OK) {
        combo c = { NULL, 0, 0, 0 };
        int ok = 1;
        for (size_t i = 0; i < ws->n; i++) {
            const qword *w = &ws->w[i];
            if (any && !w->tf && nopt[i] > 1 && !cur[i])
                ok = 0;      /* --any: an unknown word must be corrected */
            if (cur[i]) {
                c.changes++;
                c.dist += w->c[cur[i] - 1].dist;
                c.freq += w->c[cur[i] - 1].freq;
            }
        }
        if (ok && c.changes) {
            combo *x = realloc(v, (n + 1) * sizeof *v);
            c.pick = malloc(ws->n);
            if (!x || !c.pick) {
                free(c.pick);
                v = x ? x : v;
                st = CTI_ENOMEM;
                break;
            }
            v = x;
            memcpy(c.pick, cur, ws->n);
            v[n++] = c;
        }
        size_t i = 0;        /* next choice, as an odometer */
        while (i < ws->n && ++cur[i] >= nopt[i])
            cur[i++] = 0;
        if (i == ws->n)
            break;
    }
    free(nopt);
    free(cur);
    if (st == CTI_OK && n)
        qsort(v, n, sizeof *v, cmp_combo);
    *out = v;
    *nout = n;
    return st;
}

/*
 * Try the corrected queries nearest first: the first that finds articles
 * sets the tier (changes and edits), and within it the one that finds the
 * most wins.  --any: the first tier's best at going with the rest, or the
 * nearest.  Fills sg->text and sg->matches.
 */
static cti_status choose(const words *ws, unsigned flags, cti_suggestion *sg)
{
    int any = (flags & CTI_QUERY_ANY) != 0;
    combo *v = NULL;
    size_t n = 0, best = SIZE_MAX, tries = 0;
    uint32_t best_hits = 0;
    cti_status st = combos(ws, any, &v, &n);
    for (size_t i = 0; st == CTI_OK && i < n && tries < MAX_TRIES; i++) {
        if (best != SIZE_MAX &&
            (v[i].changes != v[best].changes || v[i].dist != v[best].dist))
            break;           /* past the tier of the first that found */
        uint32_t hits = 0;
        char *text = NULL;
        tries++;
        if (any) {
            st = together(ws, v[i].pick, &hits);
        } else if ((text = spell_out(ws, v[i].pick)) != NULL) {
            st = hits_of(ws->s, text, flags, &hits);
        } else {
            st = CTI_ENOMEM;
        }
        free(text);
        if (st == CTI_OK && hits > best_hits) {
            best = i;
            best_hits = hits;
        }
    }
    if (st == CTI_OK && best == SIZE_MAX && any && n)
        best = 0;            /* the word exists: the nearest will do */
    if (st == CTI_OK && best != SIZE_MAX) {
        sg->text = spell_out(ws, v[best].pick);
        sg->matches = best_hits;
        if (!sg->text)
            st = CTI_ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        free(v[i].pick);
    free(v);
    return st;
}

/* The words no article holds, quoted and comma-separated, into sg. */
static cti_status name_unknown(const words *ws, cti_suggestion *sg)
{
    size_t n = 1;
    for (size_t i = 0; i < ws->n; i++)
        if (!ws->w[i].tf)
            n += ws->w[i].end - ws->w[i].start + 4;
    if (n == 1)
        return CTI_OK;
    char *r = malloc(n), *p = r;
    if (!r)
        return CTI_ENOMEM;
    for (size_t i = 0; i < ws->n; i++) {
        const qword *w = &ws->w[i];
        if (w->tf)
            continue;
        p += sprintf(p, "%s'%.*s'", p == r ? "" : ", ", (int)(w->end - w->start),
                     ws->text + w->start);
    }
    sg->unknown = r;
    return CTI_OK;
}

cti_status cti_suggest(cti_search *s, const char *text, unsigned flags,
                       cti_suggestion *out)
{
    cti_query *q = NULL;
    words ws = { s, text, NULL, 0, CTI_OK };
    memset(out, 0, sizeof *out);
    cti_status st = cti_query_parse(text, cti_search_analyzer(s), flags, &q, NULL);
    if (st != CTI_OK)
        return st;
    cti_query_words(q, collect, &ws);
    cti_query_free(q);
    st = ws.st;
    if (st == CTI_OK)
        st = name_unknown(&ws, out);
    if (st == CTI_OK && (flags & CTI_QUERY_ANY) && !out->unknown)
        goto done;           /* --any: every word is known, nothing to fix */
    if (st == CTI_OK)
        st = gather(&ws);
    if (st == CTI_OK)
        st = choose(&ws, flags, out);
done:
    words_release(&ws);
    return st;
}

void cti_suggestion_release(cti_suggestion *sg)
{
    if (!sg)
        return;
    free(sg->text);
    free(sg->unknown);
    memset(sg, 0, sizeof *sg);
}
