/*
 * analyze.c - analyzer throughput.
 *
 *   analyze [--mode read|tokenize|analyze|analyze-nocache] [--language L]
 *           [--clock wall|cpu] FILE|DIR...
 *
 * Reads every file (folders recursively) into memory, then runs the chosen
 * mode over all of them, one cti_analyze() call per file, repeating whole
 * passes until at least one second has gone by.  Prints one line on stdout:
 *
 *   mode=analyze bytes=11234567 tokens=1934000 seconds=0.072012 mb_per_s=156.0
 *
 * bytes and tokens are per pass, seconds is the mean time of one pass and
 * mb_per_s is bytes / seconds / 10^6.  Modes:
 *   read             touch every byte (a memory-bandwidth floor)
 *   tokenize         cti_tokenize(): tokens, folding, offsets, no stems
 *   analyze          cti_analyze() with the stem cache (default)
 *   analyze-nocache  cti_analyze() with the stem cache off
 * --clock cpu times this thread's CPU time instead of wall time (steadier
 * on a busy machine).
 * Exit status 0, or 2 on bad usage or an unreadable input.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cti_analyzer.h"

typedef struct file {
    char *data;
    size_t len;
} file;

typedef struct files {
    file *v;
    size_t n, cap;
    size_t bytes;
} files;

/* Read one file into fs; returns 0 or -1 (message printed). */
static int load_file(files *fs, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "analyze: cannot open '%s': %s\n", path, strerror(errno));
        return -1;
    }
    size_t cap = 1 << 16, len = 0;
    char *p = malloc(cap);
    int rc = -1;
    if (!p)
        goto nomem;
    for (;;) {
        if (len == cap) {
            char *q = realloc(p, cap *= 2);
            if (!q)
                goto nomem;
            p = q;
        }
        size_t n = fread(p + len, 1, cap - len, f);
        len += n;
        if (n == 0)
            break;
    }
    if (ferror(f)) {
        fprintf(stderr, "analyze: cannot read '%s'\n", path);
        goto done;
    }
    if (fs->n == fs->cap) {
        size_t nc = fs->cap ? 2 * fs->cap : 256;
        file *v = realloc(fs->v, nc * sizeof *v);
        if (!v)
            goto nomem;
        fs->v = v;
        fs->cap = nc;
    }
    fs->v[fs->n].data = p;
    fs->v[fs->n].len = len;
    fs->n++;
    fs->bytes += len;
    p = NULL;
    rc = 0;
    goto done;
nomem:
    fprintf(stderr, "analyze: out of memory\n");
done:
    free(p);
    fclose(f);
    return rc;
}

/* Load a file or, recursively, a folder (entries in name order). */
static int load_path(files *fs, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "analyze: cannot open '%s': %s\n", path, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode))
        return load_file(fs, path);
    struct dirent **names = NULL;
    int n = scandir(path, &names, NULL, alphasort);
    if (n < 0) {
        fprintf(stderr, "analyze: cannot read '%s': %s\n", path, strerror(errno));
        return -1;
    }
    int rc = 0;
    for (int i = 0; i < n; i++) {
        const char *nm = names[i]->d_name;
        if (rc == 0 && nm[0] != '.') {
            size_t pl = strlen(path) + strlen(nm) + 2;
            char *sub = malloc(pl);
            if (!sub) {
                rc = -1;
            } else {
                snprintf(sub, pl, "%s/%s", path, nm);
                rc = load_path(fs, sub);
                free(sub);
            }
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

/* Keeps the read mode's byte sum from being optimised away. */
static volatile unsigned long sink;

static clockid_t clock_id = CLOCK_MONOTONIC;

static double now(void)
{
    struct timespec ts;
    clock_gettime(clock_id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int count_token(void *ctx, const cti_token *tok)
{
    size_t *n = ctx;
    (void)tok;
    (*n)++;
    return 0;
}

static void usage(FILE *out)
{
    fprintf(out, "usage: analyze [--mode read|tokenize|analyze|analyze-nocache] "
                 "[--language L] [--clock wall|cpu] FILE|DIR...\n");
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"mode", required_argument, NULL, 'm'},
        {"language", required_argument, NULL, 'l'},
        {"clock", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *mode = "analyze", *language = "english";
    int c;
    while ((c = getopt_long(argc, argv, "m:l:c:h", opts, NULL)) != -1) {
        switch (c) {
        case 'm':
            mode = optarg;
            break;
        case 'l':
            language = optarg;
            break;
        case 'c':
            if (strcmp(optarg, "cpu") == 0) {
                clock_id = CLOCK_THREAD_CPUTIME_ID;
            } else if (strcmp(optarg, "wall") != 0) {
                fprintf(stderr, "analyze: unknown clock '%s'\n", optarg);
                return 2;
            }
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    int m;
    if (strcmp(mode, "read") == 0)
        m = 0;
    else if (strcmp(mode, "tokenize") == 0)
        m = 1;
    else if (strcmp(mode, "analyze") == 0)
        m = 2;
    else if (strcmp(mode, "analyze-nocache") == 0)
        m = 3;
    else {
        fprintf(stderr, "analyze: unknown mode '%s'\n", mode);
        usage(stderr);
        return 2;
    }
    if (optind >= argc) {
        usage(stderr);
        return 2;
    }

    files fs = {0};
    cti_analyzer *a = NULL;
    int rc = 2;
    for (int i = optind; i < argc; i++)
        if (load_path(&fs, argv[i]) != 0)
            goto done;
    if (m >= 2) {
        if (cti_analyzer_new(language, &a) != 0) {
            fprintf(stderr, "analyze: unknown language '%s'\n", language);
            goto done;
        }
        cti_analyzer_set_cache(a, m == 2);
    }

    size_t tokens = 0, passes = 0;
    unsigned long sum = 0;
    double t0 = now(), elapsed;
    do {
        tokens = 0;
        for (size_t f = 0; f < fs.n; f++) {
            if (m == 0) {
                const unsigned char *p = (const unsigned char *)fs.v[f].data;
                for (size_t k = 0; k < fs.v[f].len; k++)
                    sum += p[k];
            } else if (m == 1) {
                cti_tokenize(fs.v[f].data, fs.v[f].len, 0, count_token, &tokens);
            } else if (cti_analyze(a, fs.v[f].data, fs.v[f].len, 0, count_token,
                                   &tokens) != 0) {
                fprintf(stderr, "analyze: out of memory\n");
                goto done;
            }
        }
        passes++;
        elapsed = now() - t0;
    } while (elapsed < 1.0);

    double per = elapsed / (double)passes;
    printf("mode=%s bytes=%zu tokens=%zu seconds=%.6f mb_per_s=%.1f\n", mode, fs.bytes,
           tokens, per, per > 0 ? (double)fs.bytes / per / 1e6 : 0.0);
    sink = sum;
    fprintf(stderr, "analyze: %zu files, %zu passes\n", fs.n, passes);
    rc = 0;
done:
    cti_analyzer_free(a);
    for (size_t f = 0; f < fs.n; f++)
        free(fs.v[f].data);
    free(fs.v);
    return rc;
}
