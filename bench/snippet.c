/*
 * snippet.c - what a snippet costs per hit on real articles.
 *
 *   snippet [-q QUERY] [-f FRAGMENTS] [-s SIZE] [-r ROUNDS] [-p] [-w] FILES...
 *
 * Parses QUERY (default: "Lina Khan" AND antitrust) with the cti query
 * language, takes its highlight spec (weights 1: no index here) and
 * builds the snippet of every FILE (its whole content as the body) ROUNDS
 * times.  Prints the microseconds of CPU time per snippet (p50, p90, max
 * over files, each the best of the rounds; CPU time, so that other work on
 * the machine does not count) and the bytes per second; with -p also
 * prints each snippet with [markers].  With -w every snippet is built by
 * tokenizing the whole text (cti_snippet_build_whole()), as before the
 * sparse scan: the same snippets, for comparing what they cost.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cti_analyzer.h"
#include "cti_query.h"
#include "cti_snippet.h"

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *p = NULL;
    size_t cap = 0, n = 0;
    if (!f)
        return NULL;
    for (;;) {
        if (n + 65536 > cap) {
            cap = cap ? cap * 2 : 65536;
            char *q = realloc(p, cap + 1);
            if (!q) {
                free(p);
                fclose(f);
                return NULL;
            }
            p = q;
        }
        size_t r = fread(p + n, 1, cap - n, f);
        n += r;
        if (r == 0)
            break;
    }
    fclose(f);
    p[n] = '\0';
    *len = n;
    return p;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    const char *qtext = "\"Lina Khan\" AND antitrust";
    cti_snippet_opts opts = {2, 200};
    int rounds = 5, print = 0, whole = 0, c, rc = 2;
    cti_analyzer *a = NULL;
    cti_query *q = NULL;
    cti_hl_spec *spec = NULL;
    cti_query_error err;
    double *us = NULL, bytes = 0, total = 0;

    while ((c = getopt(argc, argv, "q:f:s:r:pw")) != -1) {
        switch (c) {
        case 'q': qtext = optarg; break;
        case 'f': opts.fragments = (unsigned)atoi(optarg); break;
        case 's': opts.size = (unsigned)atoi(optarg); break;
        case 'r': rounds = atoi(optarg) > 0 ? atoi(optarg) : 1; break;
        case 'p': print = 1; break;
        case 'w': whole = 1; break;
        default:
            fprintf(stderr, "usage: snippet [-q QUERY] [-f N] [-s SIZE] [-r ROUNDS] [-p] [-w] FILES...\n");
            return 2;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "snippet: no files\n");
        return 2;
    }
    if (cti_analyzer_new("english", &a)) {
        fprintf(stderr, "snippet: no analyzer\n");
        return 2;
    }
    if (cti_query_parse(qtext, a, 0, &q, &err) != CTI_OK) {
        fprintf(stderr, "snippet: bad query at column %zu: %s\n", err.column, err.msg);
        goto done;
    }
    if (cti_query_highlights(q, NULL, 0, &spec) != CTI_OK)
        goto done;
    us = calloc((size_t)(argc - optind), sizeof *us);
    if (!us)
        goto done;

    int nf = 0;
    for (int i = optind; i < argc; i++) {
        size_t len;
        char *body = slurp(argv[i], &len);
        if (!body) {
            fprintf(stderr, "snippet: cannot read '%s'\n", argv[i]);
            continue;
        }
        double best = 1e18;
        cti_snippet s;
        for (int r = 0; r < rounds; r++) {
            double t0 = now_us();
            if ((whole ? cti_snippet_build_whole : cti_snippet_build)(a, spec, body, len,
                                                                 &opts, &s)) {
                free(body);
                fprintf(stderr, "snippet: out of memory\n");
                goto done;
            }
            double t = now_us() - t0;
            if (t < best)
                best = t;
            if (print && r == 0) {
                char *out = cti_snippet_render(&s, CTI_HL_STYLE_MARKERS, NULL, NULL);
                printf("%s\n  %s\n", argv[i], out ? out : "(no memory)");
                free(out);
            }
            cti_snippet_release(&s);
        }
        us[nf++] = best;
        bytes += (double)len;
        total += best;
        free(body);
    }
    if (nf == 0)
        goto done;
    qsort(us, (size_t)nf, sizeof *us, cmp_double);
    printf("snippets: %d files, %.0f bytes on average\n", nf, bytes / nf);
    printf("cpu us per snippet: p50 %.1f  p90 %.1f  max %.1f  mean %.1f\n",
           us[nf / 2], us[(nf * 9) / 10 < nf ? (nf * 9) / 10 : nf - 1],
           us[nf - 1], total / nf);
    printf("throughput: %.1f MB/s\n", bytes / total);
    rc = 0;
done:
    free(us);
    cti_hl_spec_free(spec);
    cti_query_free(q);
    cti_analyzer_free(a);
    return rc;
}
