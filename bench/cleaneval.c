/*
 * cleaneval.c - how well boilerplate and copies are told apart.
 *
 *   cleaneval rate [--threshold T] [--lines N] PATH...
 *   cleaneval show PATH...
 *   cleaneval dups [--threshold T] DIR
 *
 * rate   reads every article under the PATHs as cti-index does, sets
 *        boilerplate aside by the shape of the text and by repetition
 *        across the articles of each source (a line held by at least
 *        cti_boiler_threshold() articles of its source, as the indexer
 *        does; --threshold T fixes it at T instead), and
 *        prints one line:
 *          articles=N words=W aside=A rate_pct=P nav=.. share=.. ...
 *        then, with --lines N, the N most frequent set-aside lines.
 * show   prints each article's set-aside text, marked with its kind.
 * dups   reads DIR/labels.tsv (file, story, kind) and DIR/topics.tsv (pairs
 *        of distinct articles on one topic), written by bench/dupset,
 *        fingerprints every article (boilerplate set aside first) and
 *        compares every pair: a pair is called a copy when its estimated
 *        similarity is at least T (default CTI_FINGERPRINT_COPY) and the
 *        two share a band term (what the index can find).  Prints
 *        precision and recall over all pairs, the same with one side of
 *        each pair as the index stores it (the low byte of each value,
 *        as an article meets one indexed before), recall per kind of
 *        copy, the same-topic pairs called copies, a sweep of thresholds,
 *        and the similarities of the corpus/ articles.
 * pairs  the N (--lines, default 10) most similar pairs among the articles
 *        under the PATHs, and how many pairs would be called copies: on a
 *        corpus of distinct articles, every one is a false copy.
 * Exit status 0, or 2 on bad usage or unreadable input.
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cti_analyzer.h"
#include "cti_article.h"
#include "cti_boiler.h"
#include "cti_fingerprint.h"
#include "cti_source.h"

typedef struct art {
    cti_article a;
    char *name;          /* file name (dups) */
    uint64_t src;        /* source key */
    uint64_t *cand;      /* candidate hashes */
    size_t ncand;
    cti_fingerprint fp;
    int has_fp;
    char *story, *kind;
} art;

typedef struct arts {
    art *v;
    size_t n, cap;
} arts;

static void die_nomem(void)
{
    fprintf(stderr, "cleaneval: out of memory\n");
    exit(2);
}

static art *arts_push(arts *as)
{
    if (as->n == as->cap) {
        size_t cap = as->cap ? as->cap * 2 : 256;
        art *x = realloc(as->v, cap * sizeof *x);
        if (!x)
            die_nomem();
        as->v = x;
        as->cap = cap;
    }
    art *t = &as->v[as->n++];
    memset(t, 0, sizeof *t);
    return t;
}

static int on_article(void *ctx, cti_article *a)
{
    art *t = arts_push(ctx);
    t->a = *a;
    memset(a, 0, sizeof *a);
    return 0;
}

static void on_problem(void *ctx, const char *path, unsigned long line,
                       const char *msg, int skipped)
{
    (void)ctx;
    if (skipped == CTI_SOURCE_FAILED)
        fprintf(stderr, "cleaneval: %s:%lu: %s\n", path, line, msg);
}

/* The source key of an article, as the indexer computes it. */
static uint64_t source_key(const cti_article *a)
{
    char dir[4096] = "";
    if (a->id && a->line == 0 && a->id[0] == '/') {
        snprintf(dir, sizeof dir, "%s", a->id);
        char *d = dirname(dir);
        memmove(dir, d, strlen(d) + 1);
    }
    return cti_boiler_source_key(a->source, a->url, dir);
}

/* ------------------------------------------------------- block counts */

typedef struct countmap {
    uint64_t *k;
    uint32_t *v;
    size_t cap, n;
} countmap;

static uint32_t *cm_slot(countmap *m, uint64_t key)
{
    if (2 * (m->n + 1) > m->cap) {
        countmap g = { NULL, NULL, m->cap ? m->cap * 2 : 1024, 0 };
        g.k = calloc(g.cap, sizeof *g.k);
        g.v = calloc(g.cap, sizeof *g.v);
        if (!g.k || !g.v)
            die_nomem();
        for (size_t i = 0; i < m->cap; i++)
            if (m->k[i]) {
                size_t j = m->k[i] & (g.cap - 1);
                while (g.k[j])
                    j = (j + 1) & (g.cap - 1);
                g.k[j] = m->k[i];
                g.v[j] = m->v[i];
                g.n++;
            }
        free(m->k);
        free(m->v);
        *m = g;
    }
    if (!key)
        key = 1;
    size_t j = key & (m->cap - 1);
    while (m->k[j] && m->k[j] != key)
        j = (j + 1) & (m->cap - 1);
    if (!m->k[j]) {
        m->k[j] = key;
        m->n++;
    }
    return &m->v[j];
}

static uint64_t pair_key(uint64_t src, uint64_t blk)
{
    uint64_t h = src * 0x9E3779B97F4A7C15ull ^ blk;
    h ^= h >> 31;
    return h;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* First pass: scan every article, count its candidates once per article. */
static void count_blocks(arts *as, cti_boiler *b, countmap *m)
{
    /* Articles per source, under the key pair_key(src, 0). */
    for (size_t i = 0; i < as->n; i++) {
        uint64_t src = source_key(&as->v[i].a);
        if (src)
            (*cm_slot(m, pair_key(src, 0)))++;
    }
    for (size_t i = 0; i < as->n; i++) {
        art *t = &as->v[i];
        t->src = source_key(&t->a);
        if (cti_boiler_scan(b, t->a.body, t->a.body_len) != CTI_OK)
            die_nomem();
        t->ncand = cti_boiler_ncandidates(b);
        t->cand = calloc(t->ncand ? t->ncand : 1, sizeof *t->cand);
        if (!t->cand)
            die_nomem();
        for (size_t c = 0; c < t->ncand; c++)
            t->cand[c] = cti_boiler_candidate(b, c);
        if (!t->src)
            continue;
        uint64_t *u = malloc((t->ncand ? t->ncand : 1) * sizeof *u);
        if (!u)
            die_nomem();
        memcpy(u, t->cand, t->ncand * sizeof *u);
        qsort(u, t->ncand, sizeof *u, cmp_u64);
        for (size_t c = 0; c < t->ncand; c++)
            if (c == 0 || u[c] != u[c - 1])
                (*cm_slot(m, pair_key(t->src, u[c])))++;
        free(u);
    }
}

/* Second pass for one article: scan it and apply the template counts. */
static void clean_one(art *t, cti_boiler *b, countmap *m, uint32_t threshold)
{
    if (cti_boiler_scan(b, t->a.body, t->a.body_len) != CTI_OK)
        die_nomem();
    size_t nc = cti_boiler_ncandidates(b);
    uint32_t *counts = calloc(nc ? nc : 1, sizeof *counts);
    if (!counts)
        die_nomem();
    for (size_t c = 0; c < nc && t->src; c++)
        counts[c] = *cm_slot(m, pair_key(t->src, cti_boiler_candidate(b, c)));
    if (!threshold)
        threshold = t->src ? cti_boiler_threshold(*cm_slot(m, pair_key(t->src, 0)))
                           : UINT32_MAX;
    if (cti_boiler_apply_template(b, counts, threshold) != CTI_OK)
        die_nomem();
    free(counts);
}

static void load_paths(arts *as, char **paths, int n)
{
    cti_source_cb cb = { 0 };
    cb.article = on_article;
    cb.problem = on_problem;
    for (int i = 0; i < n; i++)
        if (cti_source_walk(paths[i], NULL, &cb, as) < 0)
            exit(2);
}

static void free_arts(arts *as)
{
    for (size_t i = 0; i < as->n; i++) {
        cti_article_release(&as->v[i].a);
        free(as->v[i].cand);
        free(as->v[i].name);
        free(as->v[i].story);
        free(as->v[i].kind);
    }
    free(as->v);
}

/* ---------------------------------------------------------------- rate */

typedef struct line_count {
    char *text;
    unsigned kind;
    size_t n;
} line_count;

static int cmp_line(const void *a, const void *b)
{
    const line_count *x = a, *y = b;
    if (x->n != y->n)
        return x->n < y->n ? 1 : -1;
    return strcmp(x->text, y->text);
}

static int run_rate(int argc, char **argv, uint32_t threshold, size_t nlines,
                    int show)
{
    arts as = { 0 };
    countmap m = { 0 };
    cti_boiler *b = NULL;
    size_t words = 0, aside = 0, bykind[CTI_BOILER_KINDS + 1] = { 0 };
    line_count *lc = NULL;
    size_t nlc = 0, caplc = 0;

    load_paths(&as, argv, argc);
    if (cti_boiler_new(&b) != CTI_OK)
        die_nomem();
    count_blocks(&as, b, &m);
    for (size_t i = 0; i < as.n; i++) {
        art *t = &as.v[i];
        clean_one(t, b, &m, threshold);
        size_t w, a, nr;
        w = cti_boiler_words(b, &a);
        words += w;
        aside += a;
        const cti_boiler_range *r = cti_boiler_ranges(b, &nr);
        if (show && nr)
            printf("== %s\n", t->a.id ? t->a.id : "(no id)");
        for (size_t k = 0; k < nr; k++) {
            /* Words per kind: recount inside the range. */
            cti_boiler *one = NULL;
            size_t rw = 0;
            if (cti_boiler_new(&one) != CTI_OK ||
                cti_boiler_scan(one, t->a.body + r[k].start,
                                r[k].end - r[k].start) != CTI_OK)
                die_nomem();
            rw = cti_boiler_words(one, NULL);
            cti_boiler_free(one);
            bykind[r[k].kind] += rw;
            if (show)
                printf("[%s] %.*s\n", cti_boiler_kind_name(r[k].kind),
                       (int)(r[k].end - r[k].start), t->a.body + r[k].start);
            if (!nlines)
                continue;
            /* Count each set-aside line. */
            const char *p = t->a.body + r[k].start, *e = t->a.body + r[k].end;
            while (p < e) {
                const char *nl = memchr(p, '\n', (size_t)(e - p));
                size_t len = (size_t)((nl ? nl : e) - p);
                if (len > 100)
                    len = 100;
                if (len) {
                    size_t j = 0;
                    while (j < nlc && !(strlen(lc[j].text) == len &&
                                        !memcmp(lc[j].text, p, len)))
                        j++;
                    if (j == nlc) {
                        if (nlc == caplc) {
                            caplc = caplc ? caplc * 2 : 64;
                            lc = realloc(lc, caplc * sizeof *lc);
                            if (!lc)
                                die_nomem();
                        }
                        lc[nlc].text = strndup(p, len);
                        lc[nlc].kind = r[k].kind;
                        lc[nlc++].n = 0;
                    }
                    lc[j].n++;
                }
                p = nl ? nl + 1 : e;
            }
        }
    }
    printf("articles=%zu words=%zu aside=%zu rate_pct=%.4f", as.n, words,
           aside, words ? 100.0 * (double)aside / (double)words : 0.0);
    for (unsigned k = 1; k <= CTI_BOILER_KINDS; k++)
        printf(" %s=%zu", cti_boiler_kind_name(k), bykind[k]);
    printf("\n");
    if (nlc)
        qsort(lc, nlc, sizeof *lc, cmp_line);
    for (size_t j = 0; j < nlc && j < nlines; j++)
        printf("%6zu  %-10s %s\n", lc[j].n, cti_boiler_kind_name(lc[j].kind),
               lc[j].text);
    for (size_t j = 0; j < nlc; j++)
        free(lc[j].text);
    free(lc);
    free(m.k);
    free(m.v);
    cti_boiler_free(b);
    free_arts(&as);
    return 0;
}

/* ---------------------------------------------------------------- dups */

typedef struct fp_ctx {
    cti_fingerprint_builder f;
    const cti_boiler_range *r;
    size_t nr, cursor;
} fp_ctx;

static int fp_token(void *vctx, const cti_token *t)
{
    fp_ctx *c = vctx;
    if (!cti_boiler_range_at(c->r, c->nr, &c->cursor, t->start))
        cti_fingerprint_add(&c->f, t->stem, t->stemlen);
    return 0;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    buf[n] = '\0';
    *len = (size_t)n;
    return buf;
}

static art *find_name(arts *as, const char *name)
{
    for (size_t i = 0; i < as->n; i++)
        if (!strcmp(as->v[i].name, name))
            return &as->v[i];
    return NULL;
}

static int shares_band(const cti_fingerprint *a, const cti_fingerprint *b)
{
    for (unsigned k = 0; k < CTI_FINGERPRINT_BANDS; k++) {
        unsigned r = 0;
        while (r < CTI_FINGERPRINT_ROWS &&
               a->v[k * CTI_FINGERPRINT_ROWS + r] == b->v[k * CTI_FINGERPRINT_ROWS + r])
            r++;
        if (r == CTI_FINGERPRINT_ROWS)
            return 1;
    }
    return 0;
}

static int load_labels(arts *as, const char *dir)
{
    char path[4096], line[4096];
    snprintf(path, sizeof path, "%s/labels.tsv", dir);
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "cleaneval: cannot open '%s': %s\n", path, strerror(errno));
        return -1;
    }
    while (fgets(line, sizeof line, f)) {
        char *name = strtok(line, "\t\n"), *story = strtok(NULL, "\t\n"),
             *kind = strtok(NULL, "\t\n");
        if (!name || !story || !kind)
            continue;
        char fp[8192];
        size_t len;
        snprintf(fp, sizeof fp, "%s/%s", dir, name);
        char *data = read_file(fp, &len);
        if (!data) {
            fprintf(stderr, "cleaneval: cannot read '%s'\n", fp);
            fclose(f);
            return -1;
        }
        art *t = arts_push(as);
        if (cti_article_parse_text(data, len, &t->a) != 0)
            die_nomem();
        free(data);
        t->name = strdup(name);
        t->story = strdup(story);
        t->kind = strdup(kind);
        if (!t->name || !t->story || !t->kind)
            die_nomem();
    }
    fclose(f);
    return 0;
}

/* Set boilerplate aside and fingerprint every article. */
static void fingerprint_all(arts *as, cti_boiler *b, cti_analyzer *an,
                            countmap *m)
{
    count_blocks(as, b, m);
    for (size_t i = 0; i < as->n; i++) {
        art *t = &as->v[i];
        clean_one(t, b, m, 0);
        fp_ctx c;
        memset(&c, 0, sizeof c);
        c.r = cti_boiler_ranges(b, &c.nr);
        cti_fingerprint_begin(&c.f);
        cti_analyze(an, t->a.body, t->a.body_len, 1, fp_token, &c);
        t->has_fp = cti_fingerprint_end(&c.f, &t->fp) == 0;
    }
}

enum { NT = 10 };
static const double sweep[NT] = { 0.15, 0.2, 0.25, 0.3, 0.35,
                                  0.4, 0.45, 0.5, 0.6, 0.7 };

typedef struct tally {
    size_t tp[NT], fp[NT], fn[NT];
    size_t pos, band_pos;
    const char *kinds[32];
    size_t nk, kpos[32], khit[32];
} tally;

/* Recall per kind: count the pair (original, variant) under the variant's kind. */
static void tally_kind(tally *t, art *x, art *y, int called)
{
    art *o = !strcmp(x->kind, "original") ? x
             : !strcmp(y->kind, "original") ? y : NULL;
    art *v = o == x ? y : x;
    if (!o && strcmp(x->kind, "corpus"))
        return;
    const char *kind = o ? v->kind : "corpus-spun";
    size_t k = 0;
    while (k < t->nk && strcmp(t->kinds[k], kind))
        k++;
    if (k == t->nk && t->nk < 32)
        t->kinds[t->nk++] = kind;
    if (k < t->nk) {
        t->kpos[k]++;
        t->khit[k] += called;
    }
}

/* Every pair: truth (same story) against the call (similar enough and
   sharing a band). */
static void tally_pairs(arts *as, double threshold, tally *t)
{
    memset(t, 0, sizeof *t);
    for (size_t i = 0; i < as->n; i++) {
        for (size_t j = i + 1; j < as->n; j++) {
            art *x = &as->v[i], *y = &as->v[j];
            int same = !strcmp(x->story, y->story);
            int both = x->has_fp && y->has_fp;
            double s = both ? cti_fingerprint_similarity(&x->fp, &y->fp) : 0;
            int band = both && shares_band(&x->fp, &y->fp);
            for (int k = 0; k < NT; k++) {
                int call = band && s >= sweep[k];
                t->tp[k] += same && call;
                t->fp[k] += !same && call;
                t->fn[k] += same && !call;
            }
            t->pos += same;
            t->band_pos += same && band;
            if (getenv("CLEANEVAL_FP") && !same && band && s >= threshold)
                printf("false copy %s %s %.3f\n", x->name, y->name, s);
            if (same)
                tally_kind(t, x, y, band && s >= threshold);
        }
    }
}

/* Distinct articles on one topic: how many are called copies. */
static void report_topics(arts *as, const char *dir, double threshold)
{
    char path[4096], line[4096];
    snprintf(path, sizeof path, "%s/topics.tsv", dir);
    FILE *f = fopen(path, "r");
    size_t tpairs = 0, tcalled = 0;
    double tmax = 0;
    while (f && fgets(line, sizeof line, f)) {
        char *a = strtok(line, "\t\n"), *c = strtok(NULL, "\t\n");
        art *x = a ? find_name(as, a) : NULL, *y = c ? find_name(as, c) : NULL;
        if (!x || !y || !x->has_fp || !y->has_fp)
            continue;
        double s = cti_fingerprint_similarity(&x->fp, &y->fp);
        tpairs++;
        tcalled += s >= threshold && shares_band(&x->fp, &y->fp);
        if (s > tmax)
            tmax = s;
    }
    if (f)
        fclose(f);
    printf("same-topic pairs=%zu called_copies=%zu max_similarity=%.3f\n",
           tpairs, tcalled, tmax);
}

static void report_corpus(arts *as)
{
    static const char *const corpus[][2] = {
        { "articles/corpus-03-bloomberg-asks-tech-leaders-for-staff.txt",
          "articles/corpus-recode.txt" },
        { "articles/corpus-02-bloomberg-courts-big-tech-leaders.txt",
          "articles/corpus-03-bloomberg-asks-tech-leaders-for-staff.txt" },
        { "articles/corpus-02-bloomberg-courts-big-tech-leaders.txt",
          "articles/corpus-recode.txt" },
        { "articles/corpus-01-harris-courts-silicon-valley.txt",
          "articles/corpus-02-bloomberg-courts-big-tech-leaders.txt" },
    };
    for (size_t k = 0; k < sizeof corpus / sizeof *corpus; k++) {
        art *x = find_name(as, corpus[k][0]), *y = find_name(as, corpus[k][1]);
        if (x && y && x->has_fp && y->has_fp)
            printf("similarity %s %s = %.3f%s\n", corpus[k][0] + 9, corpus[k][1] + 9,
                   cti_fingerprint_similarity(&x->fp, &y->fp),
                   shares_band(&x->fp, &y->fp) ? " (shares a band)" : "");
    }
}

/* Precision and recall at 'threshold' when the second article of each
   pair is read back from the index (cti_fingerprint_encode()/decode()). */
static void report_stored(arts *as, double threshold)
{
    size_t tp = 0, fp = 0, pos = 0;
    for (size_t i = 0; i < as->n; i++)
        for (size_t j = i + 1; j < as->n; j++) {
            art *x = &as->v[i], *y = &as->v[j];
            int same = !strcmp(x->story, y->story);
            pos += same;
            if (!x->has_fp || !y->has_fp || !shares_band(&x->fp, &y->fp))
                continue;
            char enc[CTI_FINGERPRINT_BYTES];
            cti_fingerprint stored;
            cti_fingerprint_encode(&y->fp, enc);
            if (cti_fingerprint_decode(enc, sizeof enc, &stored) != 0)
                continue;
            int call = cti_fingerprint_similarity(&x->fp, &stored) >= threshold;
            tp += same && call;
            fp += !same && call;
        }
    printf("stored precision=%.4f recall=%.4f\n",
           tp + fp ? (double)tp / (double)(tp + fp) : 1.0,
           pos ? (double)tp / (double)pos : 1.0);
}

static double ratio(size_t a, size_t b)
{
    return b ? (double)a / (double)b : 1.0;
}

static int run_dups(const char *dir, double threshold)
{
    arts as = { 0 };
    countmap m = { 0 };
    cti_boiler *b = NULL;
    cti_analyzer *an = NULL;
    tally t;
    int rc = 2;

    if (load_labels(&as, dir) < 0)
        goto done;
    if (cti_boiler_new(&b) != CTI_OK || cti_analyzer_new("english", &an) != 0)
        die_nomem();
    fingerprint_all(&as, b, an, &m);
    tally_pairs(&as, threshold, &t);
    int ti = 0;
    for (int k = 0; k < NT; k++)
        if (sweep[k] <= threshold + 1e-9)
            ti = k;
    printf("articles=%zu positive_pairs=%zu threshold=%.2f precision=%.4f "
           "recall=%.4f band_recall=%.4f\n",
           as.n, t.pos, sweep[ti], ratio(t.tp[ti], t.tp[ti] + t.fp[ti]),
           ratio(t.tp[ti], t.pos), ratio(t.band_pos, t.pos));
    report_stored(&as, sweep[ti]);
    for (size_t k = 0; k < t.nk; k++)
        printf("recall %-12s %zu/%zu = %.3f\n", t.kinds[k], t.khit[k],
               t.kpos[k], ratio(t.khit[k], t.kpos[k]));
    report_topics(&as, dir, threshold);
    for (int k = 0; k < NT; k++)
        printf("sweep threshold=%.2f precision=%.4f recall=%.4f\n", sweep[k],
               ratio(t.tp[k], t.tp[k] + t.fp[k]), ratio(t.tp[k], t.pos));
    report_corpus(&as);
    rc = 0;
done:
    free(m.k);
    free(m.v);
    cti_boiler_free(b);
    cti_analyzer_free(an);
    free_arts(&as);
    return rc;
}

/* The most similar pairs among the articles under the PATHs (all of them
   distinct stories on a clean corpus: how close do they come?). */
static int run_pairs(int argc, char **argv, size_t top)
{
    arts as = { 0 };
    countmap m = { 0 };
    cti_boiler *b = NULL;
    cti_analyzer *an = NULL;
    load_paths(&as, argv, argc);
    if (cti_boiler_new(&b) != CTI_OK || cti_analyzer_new("english", &an) != CTI_OK)
        die_nomem();
    fingerprint_all(&as, b, an, &m);
    double *best = calloc(top + 1, sizeof *best);
    size_t *bi = calloc(top + 1, sizeof *bi), *bj = calloc(top + 1, sizeof *bj);
    size_t over = 0, pairs = 0;
    if (!best || !bi || !bj)
        die_nomem();
    for (size_t i = 0; i < as.n; i++)
        for (size_t j = i + 1; j < as.n; j++) {
            art *x = &as.v[i], *y = &as.v[j];
            if (!x->has_fp || !y->has_fp)
                continue;
            double sim = cti_fingerprint_similarity(&x->fp, &y->fp);
            pairs++;
            over += sim >= CTI_FINGERPRINT_COPY && shares_band(&x->fp, &y->fp);
            size_t k = top;
            while (k > 0 && best[k - 1] < sim) {
                if (k < top) {
                    best[k] = best[k - 1];
                    bi[k] = bi[k - 1];
                    bj[k] = bj[k - 1];
                }
                k--;
            }
            if (k < top) {
                best[k] = sim;
                bi[k] = i;
                bj[k] = j;
            }
        }
    printf("articles=%zu pairs=%zu called_copies=%zu\n", as.n, pairs, over);
    for (size_t k = 0; k < top && k < pairs; k++)
        printf("%.3f  %s  %s\n", best[k], as.v[bi[k]].a.id, as.v[bj[k]].a.id);
    free(best);
    free(bi);
    free(bj);
    free(m.k);
    free(m.v);
    cti_boiler_free(b);
    cti_analyzer_free(an);
    free_arts(&as);
    return 0;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: cleaneval rate [--threshold T] [--lines N] PATH...\n"
               "       cleaneval show PATH...\n"
               "       cleaneval dups [--threshold T] DIR\n"
               "       cleaneval pairs [--lines N] PATH...\n");
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "threshold", required_argument, NULL, 't' },
        { "lines", required_argument, NULL, 'l' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    double threshold = -1;
    size_t lines = 0;
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *mode = argv[1];
    optind = 2;
    int c;
    while ((c = getopt_long(argc, argv, "t:l:h", opts, NULL)) != -1) {
        switch (c) {
        case 't': threshold = atof(optarg); break;
        case 'l': lines = (size_t)atol(optarg); break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(mode, "rate") || !strcmp(mode, "show"))
        return run_rate(argc - optind, argv + optind,
                        threshold > 0 ? (uint32_t)threshold : 0, lines,
                        !strcmp(mode, "show"));
    if (!strcmp(mode, "pairs"))
        return run_pairs(argc - optind, argv + optind, lines ? lines : 10);
    if (!strcmp(mode, "dups"))
        return run_dups(argv[optind],
                        threshold > 0 ? threshold : CTI_FINGERPRINT_COPY);
    usage(stderr);
    return 2;
}
