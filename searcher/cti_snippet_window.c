/*
 * cti_snippet_window.c - which fragments of an article a snippet shows.
 *
 * Each match of the query in the text is a scoring unit.  A window of
 * the fragment size slides over the units of each stretch of text not
 * shown yet and the one that adds the most weight of groups not yet
 * covered wins (rarer groups weigh more); fragments are then laid out on
 * token boundaries, preferably from a sentence start to a sentence end.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cti_snippet_int.h"

/*
 * The last token of unit h as far as fragments of 'size' characters are
 * concerned: a NEAR stretch longer than that counts as its first item.
 */
static uint32_t unit_end(const chooser *ch, const hit *h, uint32_t size)
{
    const tok *tk = ch->sc->toks;
    if (tk[h->b].cend - tk[h->a].cstart <= size)
        return h->b;
    uint32_t b = h->a + ch->sc->items[h->it].nstems - 1;
    return b < h->b ? b : h->b;
}

/*
 * Lay out a fragment of about 'size' characters that holds tokens a..b,
 * within tokens lo..hi: from the sentence start before a when it is near
 * enough, else with a little context before; to the end of a sentence
 * when one ends near the budget.
 */
static frag layout(const chooser *ch, uint32_t a, uint32_t b, uint32_t lo,
                   uint32_t hi, uint32_t size)
{
    const tok *tk = ch->sc->toks;
    frag f;
    uint32_t used = tk[b].cend - tk[a].cstart;
    uint32_t slack = used < size ? size - used : 0;
    uint32_t sp = ch->sent_prev[a];
    uint32_t s = a, e = b;

    if (sp >= lo && tk[a].cstart - tk[sp].cstart <= slack + size / 8) {
        s = sp;
    } else {
        /* a long sentence: when its end fits, show all up to there */
        uint32_t se = b;
        while (se < hi && !tk[se + 1].sent && tk[se].cend - tk[a].cstart <= size)
            se++;
        if (se == hi || tk[se].cend - tk[a].cstart > size) {
            uint32_t ctx = slack / 3 < 40 ? slack / 3 : 40;
            while (s > lo && tk[a].cstart - tk[s - 1].cstart <= ctx)
                s--;
        } else {
            e = se;
            while (s > lo && tk[e].cend - tk[s - 1].cstart <= size)
                s--;
            f.s = s;
            f.e = e;
            return f;
        }
    }
    while (e < hi && tk[e + 1].cend - tk[s].cstart <= size)
        e++;
    /* reached the end of the room with budget left: use it before */
    if (e == hi || e + 1 == ch->sc->ntoks) {
        uint32_t s0 = s, t;
        while (s > lo && tk[e].cend - tk[s - 1].cstart <= size)
            s--;
        /* but start at a sentence when one starts in the added part */
        for (t = s; t < s0 && !tk[t].sent; t++)
            ;
        if (t < s0 || tk[s0].sent)
            s = t;
    }
    /* end at a sentence end when one is within the last third */
    if (e + 1 < ch->sc->ntoks && !tk[e + 1].sent) {
        for (uint32_t t = e; t >= b; t--) {
            if (tk[e].cend - tk[t].cend > size / 3)
                break;
            if (tk[t + 1].sent) {
                e = t;
                break;
            }
            if (t == 0)
                break;
        }
    }
    f.s = s;
    f.e = e;
    return f;
}

static int frag_cmp(const void *x, const void *y)
{
    const frag *a = x, *b = y;
    return a->s < b->s ? -1 : a->s > b->s;
}

static int u64_cmp(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

/*
 * Fill ue, ee and eorder for fragments of 'size' characters.  Units are
 * in order of their end already unless their lengths differ; then they
 * are sorted by (end, index) packed in one 64-bit key.
 */
static void prepare_size(chooser *ch, uint32_t size)
{
    const tok *tk = ch->sc->toks;
    int sorted = 1;
    for (size_t j = 0; j < ch->nu; j++) {
        ch->ue[j] = unit_end(ch, &ch->u[j], size);
        ch->ee[j] = tk[ch->ue[j]].cend;
        ch->eorder[j] = (uint32_t)j;
        if (j > 0 && ch->ee[j] < ch->ee[j - 1])
            sorted = 0;
    }
    if (!sorted) {
        for (size_t j = 0; j < ch->nu; j++)
            ch->keys[j] = (uint64_t)ch->ee[j] << 32 | (uint32_t)j;
        qsort(ch->keys, ch->nu, sizeof *ch->keys, u64_cmp);
        for (size_t j = 0; j < ch->nu; j++)
            ch->eorder[j] = (uint32_t)ch->keys[j];
    }
}

/* Add (d = 1) or remove (d = -1) unit j from the window. */
static void window_move(chooser *ch, size_t j, int d, double *pri, double *sec)
{
    uint32_t g = ch->u[j].g;
    double w = ch->w[g];
    if (d > 0 ? ch->cnt[g]++ == 0 : --ch->cnt[g] == 0) {
        if (ch->covered[g])
            *sec += d * w;
        else
            *pri += d * w;
    } else {
        *sec += d * w * 0.25;
    }
    ch->in[j] = d > 0;
}

/* The best window pick() has found so far. */
typedef struct winner {
    double pri, sec;    /* weight of new groups; of covered groups and repeats */
    int sent;           /* 1: starts near a sentence start */
    int found;
    uint32_t a, b;      /* first and last token */
    uint32_t lo, hi;    /* the free stretch holding it */
} winner;

/* The window sliding over the units of one free stretch. */
typedef struct win {
    uint32_t size;      /* characters at most */
    uint32_t lo, hi;    /* the stretch's first and last token */
    size_t r;           /* its index */
    const uint32_t *E;  /* its units in order of their end */
    size_t nE;
    size_t p;           /* E[0 .. p) have entered */
    double pri, sec;    /* weights in the window (see window_move()) */
} win;

/*
 * The free stretches of text: before, between and after the fragments
 * chosen so far.  Fills lo_of and hi_of (first and last token of each,
 * ch->nf + 1 of them) and ch->rid (each unit's stretch, or UINT32_MAX
 * when it lies in no stretch); returns the count of stretches.
 */
static size_t free_stretches(chooser *ch, uint32_t *lo_of, uint32_t *hi_of)
{
    frag fs[64];
    size_t nr = ch->nf + 1, r, j;

    memcpy(fs, ch->f, ch->nf * sizeof fs[0]);
    qsort(fs, ch->nf, sizeof fs[0], frag_cmp);
    for (r = 0; r < nr; r++) {
        lo_of[r] = r == 0 ? 0 : fs[r - 1].e + 1;
        hi_of[r] = r < ch->nf ? (fs[r].s ? fs[r].s - 1 : 0) : (uint32_t)ch->sc->ntoks - 1;
    }
    /* each unit's stretch (units are sorted by first token) */
    for (j = 0, r = 0; j < ch->nu; j++) {
        while (r < nr && ch->u[j].a > hi_of[r])
            r++;
        ch->rid[j] = r < nr && ch->u[j].a >= lo_of[r] && ch->ue[j] <= hi_of[r] &&
                     !(r < ch->nf && fs[r].s == 0) ? (uint32_t)r : UINT32_MAX;
    }
    return nr;
}

/*
 * The units of each of the nr stretches (at most 65: one more than the
 * fragments) in order of their end, into ch->byrange: stretch r's are
 * byrange[rstart[r] .. rstart[r + 1]).  Fills rstart (nr + 1 entries).
 */
static void by_stretch(chooser *ch, size_t nr, uint32_t *rstart)
{
    uint32_t fill[65];
    memset(rstart, 0, (nr + 1) * sizeof *rstart);
    for (size_t j = 0; j < ch->nu; j++)
        if (ch->rid[j] != UINT32_MAX)
            rstart[ch->rid[j] + 1]++;
    for (size_t r = 0; r < nr; r++)
        rstart[r + 1] += rstart[r];
    memcpy(fill, rstart, nr * sizeof fill[0]);
    for (size_t j = 0; j < ch->nu; j++) {
        uint32_t k = ch->eorder[j];
        if (ch->rid[k] != UINT32_MAX)
            ch->byrange[fill[ch->rid[k]]++] = k;
    }
}

/*
 * Weigh the window that starts at unit i's first token and holds the
 * units in it, and keep it in *bw when it beats the best so far: new
 * groups first, then covered groups and repeats, then a sentence start
 * near the window.
 */
static void consider(const chooser *ch, const win *w, size_t i, winner *bw)
{
    const tok *tk = ch->sc->toks;
    uint32_t a = ch->u[i].a, base = tk[a].cstart, bmax;
    double cp = w->pri, cs = w->sec;

    if (!ch->in[i]) {
        /* one unit longer than the size: a window of its own */
        uint32_t g = ch->u[i].g;
        cp = ch->covered[g] ? 0 : ch->w[g];
        cs = ch->covered[g] ? ch->w[g] : 0;
        bmax = ch->ue[i];
    } else {
        /* the member that ends last: the latest one entered */
        size_t q = w->p;
        while (q > 0 && !ch->in[w->E[q - 1]])
            q--;
        bmax = q > 0 ? ch->ue[w->E[q - 1]] : ch->ue[i];
        if (bmax < ch->ue[i])
            bmax = ch->ue[i];
    }
    uint32_t used = tk[bmax].cend - base;
    uint32_t slack = used < w->size ? w->size - used : 0;
    uint32_t sp = ch->sent_prev[a];
    int sent = sp >= w->lo && base - tk[sp].cstart <= slack + w->size / 8;
    if (cp > bw->pri + ch->eps ||
        (cp >= bw->pri - ch->eps &&
         (cs > bw->sec + ch->eps || (cs >= bw->sec - ch->eps && sent && !bw->sent)))) {
        bw->pri = cp;
        bw->sec = cs;
        bw->sent = sent;
        bw->a = a;
        bw->b = bmax;
        bw->lo = w->lo;
        bw->hi = w->hi;
        bw->found = 1;
    }
}

/*
 * Slide the window over the units of one stretch: a unit enters when its
 * end fits (units taken in order of their end) and leaves when the
 * window's start passes it.  The window is empty again at the end.
 */
static void slide(chooser *ch, win *w, winner *bw)
{
    const tok *tk = ch->sc->toks;
    int prev_ok = 0;

    memset(ch->cnt, 0, ch->sc->spec->ngroups * sizeof *ch->cnt);
    for (size_t i = 0; i < ch->nu; i++) {
        if (ch->rid[i] != w->r) {
            if (ch->u[i].a > w->hi)
                break;
            continue;
        }
        uint32_t a = ch->u[i].a, base = tk[a].cstart;
        while (w->p < w->nE && ch->ee[w->E[w->p]] - base <= w->size) {
            uint32_t k = w->E[w->p];
            if (k >= i && ch->rid[k] == w->r)
                window_move(ch, k, 1, &w->pri, &w->sec);
            w->p++;
        }
        /* a window from the same token as the previous one holds less */
        int skip = prev_ok && ch->u[i - 1].a == a;
        prev_ok = 1;
        if (!skip)
            consider(ch, w, i, bw);
        if (ch->in[i])
            window_move(ch, i, -1, &w->pri, &w->sec);
    }
    /* empty the window for the next stretch */
    for (size_t q = 0; q < w->nE; q++)
        if (ch->in[w->E[q]])
            window_move(ch, w->E[q], -1, &w->pri, &w->sec);
}

/*
 * Pick the best window of at most 'size' characters among the units that
 * lie outside the fragments chosen so far.  Groups not yet covered count
 * their full weight; covered groups and repeats only break ties, then a
 * sentence start near the window, then the earlier window.  Returns 1
 * and the fragment in *out, or 0 when no window adds a new group (the
 * first fragment only needs some unit).
 *
 * The window slides over the units of each free stretch of text (see
 * slide()), so each unit enters and leaves once.
 */
static int pick(chooser *ch, uint32_t size, frag *out)
{
    uint32_t lo_of[65], hi_of[65], rstart[66];
    winner bw = { -1, -1, 0, 0, 0, 0, 0, 0 };
    size_t nr = free_stretches(ch, lo_of, hi_of);

    by_stretch(ch, nr, rstart);
    for (size_t r = 0; r < nr; r++) {
        win w = { size, lo_of[r], hi_of[r], r, ch->byrange + rstart[r],
                  rstart[r + 1] - rstart[r], 0, 0, 0 };
        if (w.nE > 0)
            slide(ch, &w, &bw);
    }
    if (!bw.found || (ch->nf > 0 && bw.pri <= ch->eps))
        return 0;
    if (ch->nlay < sizeof ch->lay / sizeof ch->lay[0]) {
        ch->lay[ch->nlay][0] = bw.a;
        ch->lay[ch->nlay][1] = bw.b;
        ch->lay[ch->nlay++][2] = size;
    } else {
        ch->layover = 1;
    }
    *out = layout(ch, bw.a, bw.b, bw.lo, bw.hi, size);
    return 1;
}

/*
 * Choose up to nfrag fragments of 'size' characters each; see pick().
 * Returns the weight of the groups they show.
 */
static double choose(chooser *ch, unsigned nfrag, uint32_t size)
{
    double cov = 0;
    ch->nf = 0;
    memset(ch->covered, 0, ch->sc->spec->ngroups);
    prepare_size(ch, size);
    while (ch->nf < nfrag) {
        frag f;
        if (!pick(ch, size, &f))
            break;
        /* the groups the fragment shows are now covered */
        for (size_t j = 0; j < ch->nu; j++)
            if (ch->u[j].a >= f.s && ch->ue[j] <= f.e)
                ch->covered[ch->u[j].g] = 1;
        ch->f[ch->nf++] = f;
    }
    for (size_t g = 0; g < ch->sc->spec->ngroups; g++)
        if (ch->covered[g])
            cov += ch->w[g];
    return cov;
}

void cti_window_free(chooser *ch)
{
    free(ch->w);
    free(ch->cnt);
    free(ch->ue);
    free(ch->ee);
    free(ch->eorder);
    free(ch->keys);
    free(ch->rid);
    free(ch->byrange);
    free(ch->in);
    free(ch->covered);
    free(ch->sent_prev);
}

cti_status cti_window_init(chooser *ch, const scan *sc, const hits *units)
{
    size_t ng = sc->spec->ngroups, nu = units->n;
    double *w = malloc(ng * sizeof *w);
    ch->w = w;
    ch->cnt = calloc(ng, sizeof *ch->cnt);
    ch->covered = calloc(ng, 1);
    ch->sent_prev = malloc(sc->ntoks * sizeof *ch->sent_prev);
    ch->ue = malloc(nu * sizeof *ch->ue);
    ch->ee = malloc(nu * sizeof *ch->ee);
    ch->eorder = malloc(nu * sizeof *ch->eorder);
    ch->keys = malloc(nu * sizeof *ch->keys);
    ch->rid = malloc(nu * sizeof *ch->rid);
    ch->byrange = malloc(nu * sizeof *ch->byrange);
    ch->in = calloc(nu, 1);
    if (!w || !ch->cnt || !ch->covered || !ch->sent_prev || !ch->ue || !ch->ee ||
        !ch->eorder || !ch->keys || !ch->rid || !ch->byrange || !ch->in)
        return CTI_ENOMEM;
    for (size_t g = 0; g < ng; g++)
        w[g] = sc->spec->groups[g].weight > 0 ? sc->spec->groups[g].weight : 1.0;
    for (uint32_t t = 0, last = 0; t < sc->ntoks; t++) {
        if (sc->toks[t].sent)
            last = t;
        ch->sent_prev[t] = last;
    }
    ch->sc = sc;
    ch->u = units->v;
    ch->nu = nu;
    return CTI_OK;
}

/* Sort the chosen fragments into text order and merge those that touch. */
static void merge_touching(chooser *ch)
{
    size_t nf = 0;
    qsort(ch->f, ch->nf, sizeof ch->f[0], frag_cmp);
    for (size_t i = 0; i < ch->nf; i++) {
        if (nf > 0 && ch->f[i].s <= ch->f[nf - 1].e + 1) {
            if (ch->f[i].e > ch->f[nf - 1].e)
                ch->f[nf - 1].e = ch->f[i].e;
            continue;
        }
        ch->f[nf++] = ch->f[i];
    }
    ch->nf = nf;
}

uint32_t cti_window_choose(chooser *ch, unsigned nfrag, uint32_t size)
{
    double total = 0, bestcov = -1;
    uint32_t bestsize = size;
    frag best[sizeof ch->f / sizeof ch->f[0]];
    size_t nbest = 0;
    ch->nlay = 0;
    ch->layover = 0;
    for (size_t j = 0; j < ch->nu; j++)
        if (!ch->cnt[ch->u[j].g]++)
            total += ch->w[ch->u[j].g];
    ch->eps = 1e-7 * (total + 1);
    for (unsigned k = 1; k <= nfrag; k = k < 4 || k == nfrag ? k + 1 : nfrag) {
        double cov = choose(ch, k, size / k ? size / k : 1);
        if (cov > bestcov + 1e-9 * (cov > 0 ? cov : 1)) {
            bestcov = cov;
            bestsize = size / k ? size / k : 1;
            nbest = ch->nf;
            memcpy(best, ch->f, nbest * sizeof best[0]);
        }
        if (cov >= total * (1 - 1e-9))
            break;
    }
    ch->nf = nbest;
    memcpy(ch->f, best, nbest * sizeof best[0]);
    merge_touching(ch);
    return bestsize;
}

