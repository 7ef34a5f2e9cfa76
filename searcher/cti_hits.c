/*
 * cti_hits.c - the hits of a page, loaded side by side.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "cti_hits.h"
#include "cti_schema.h"

/* The hits to load, taken one at a time by whichever thread is free. */
typedef struct batch {
    cti_search *s;
    const cti_results *r;
    size_t first, n;
    cti_hit_opts o;
    cti_hit *out;
    cti_status *st;
    atomic_size_t next;     /* the next hit no thread took yet */
} batch;

/* A thread helping with a batch. */
typedef struct helper {
    pthread_t t;
    batch *b;
} helper;

/* Load the hits of b not taken yet, one at a time, with analyzer 'a'
   (NULL: the search's own). */
static void take(batch *b, cti_analyzer *a)
{
    cti_hit_opts o = b->o;
    o.analyzer = a;
    for (;;) {
        size_t k = atomic_fetch_add(&b->next, 1);
        if (k >= b->n)
            return;
        b->st[k] = cti_hit_load(b->s, b->r, b->first + k, &o, &b->out[k]);
    }
}

/* A helper thread: with an analyzer of its own, made here rather than
   before the thread starts, so that this thread's first hit does not
   wait for it (one that cannot be made leaves its share to the others). */
static void *help(void *arg)
{
    helper *h = arg;
    cti_analyzer *a = NULL;
    if (cti_search_analyzer_new(h->b->s, &a) == CTI_OK)
        take(h->b, a);
    cti_analyzer_free(a);
    return NULL;
}

unsigned cti_hits_jobs_default(const cti_results *r, size_t first, size_t n,
                               const cti_hit_opts *o)
{
    if (n < 2 || (o && o->no_snippet))
        return 1;
    size_t bytes = 0;
    for (size_t i = first; i < first + n && bytes < CTI_HITS_HELPER_BYTES; i++) {
        size_t k = r->order ? r->order[i] : i, len = 0;
        if (cti_mset_data(r->mset, k, &len))
            bytes += len;
        if (cti_mset_value(r->mset, k, CTI_SLOT_TEXT, &len))
            bytes += len;
    }
    /* The CPUs last: glibc counts them by reading a file of /sys, 40 us
       in a fresh process on a machine of two virtual CPUs. */
    return bytes >= CTI_HITS_HELPER_BYTES && sysconf(_SC_NPROCESSORS_ONLN) >= 2
               ? 2 : 1;
}

void cti_hits_load(cti_search *s, const cti_results *r, size_t first,
                   size_t n, const cti_hit_opts *o, unsigned jobs,
                   cti_hit *out, cti_status *st)
{
    batch b = { .s = s, .r = r, .first = first, .n = n, .out = out, .st = st };
    helper hs[CTI_HITS_JOBS_MAX];
    size_t nh = 0;
    if (o)
        b.o = *o;
    atomic_init(&b.next, 0);
    memset(out, 0, n * sizeof *out);
    if (jobs > n)
        jobs = (unsigned)n;
    if (jobs > CTI_HITS_JOBS_MAX)
        jobs = CTI_HITS_JOBS_MAX;
    for (unsigned j = 1; j < jobs; j++) {
        helper *h = &hs[nh];
        h->b = &b;
        if (pthread_create(&h->t, NULL, help, h) != 0)
            break;
        nh++;
    }
    take(&b, o ? o->analyzer : NULL);
    for (size_t j = 0; j < nh; j++)
        pthread_join(hs[j].t, NULL);
}
