/*
 * fuzz_source.c - libFuzzer harness for reading input files: .gz
 * inflation with its cap, JSON lines splitting, binary sniffing, text
 * files.
 *
 * The first input byte picks the file name (a.txt, a.txt.gz, a.jsonl,
 * a.jsonl.gz, a.html, a.csv, a.json, a.tsv); the rest is written there
 * and walked with a 1 MiB inflate cap.  Whatever the bytes: no crash,
 * every article reported holds valid NUL-free UTF-8 with the right
 * length, its date read or left out, record line numbers never go back
 * (JSON lines: only grow), every problem has a message, and the walk
 * ends with 0.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cti_source.h"
#include "fuzz_util.h"

static char src_dir[64];

__attribute__((unused)) static void src_teardown(void)
{
    static const char *const names[] = {"a.txt", "a.txt.gz", "a.jsonl", "a.jsonl.gz",
                                        "a.html", "a.csv", "a.json", "a.tsv"};
    char p[128];
    if (!src_dir[0])
        return;
    for (size_t i = 0; i < 8; i++) {
        snprintf(p, sizeof p, "%s/%s", src_dir, names[i]);
        unlink(p);
    }
    rmdir(src_dir);
    src_dir[0] = '\0';
}

typedef struct src_ctx {
    int jsonl;              /* line numbers must grow (else: not go back) */
    unsigned long last_line;
    size_t articles, problems;
} src_ctx;

static void src_check_str(const char *s)
{
    if (s)
        FUZZ_CHECK(fuzz_utf8_valid(s, strlen(s)));
}

static int src_article(void *vctx, cti_article *a)
{
    src_ctx *c = vctx;
    FUZZ_CHECK(a->body != NULL && strlen(a->body) == a->body_len);
    FUZZ_CHECK(fuzz_utf8_valid(a->body, a->body_len));
    FUZZ_CHECK(a->id != NULL && a->id[0] != '\0');
    src_check_str(a->id);
    src_check_str(a->title);
    src_check_str(a->date);
    src_check_str(a->author);
    src_check_str(a->source);
    src_check_str(a->url);
    src_check_str(a->aside);
    if (a->aside)
        FUZZ_CHECK(strlen(a->aside) == a->aside_len);
    FUZZ_CHECK(a->ymd[0] == '\0' || strlen(a->ymd) == 8);
    if (a->line) {
        FUZZ_CHECK(c->jsonl ? a->line > c->last_line : a->line >= c->last_line);
        c->last_line = a->line;
    }
    c->articles++;
    return 0;
}

static void src_problem(void *vctx, const char *path, unsigned long line,
                        const char *msg, int skipped)
{
    src_ctx *c = vctx;
    (void)line;
    (void)skipped;
    FUZZ_CHECK(path != NULL && msg != NULL && msg[0] != '\0');
    c->problems++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = {"a.txt", "a.txt.gz", "a.jsonl", "a.jsonl.gz",
                                        "a.html", "a.csv", "a.json", "a.tsv"};
    if (!src_dir[0]) {
        strcpy(src_dir, "/tmp/cti-fuzz-source.XXXXXX");
        if (!mkdtemp(src_dir))
            abort();
        atexit(src_teardown);
    }
    if (size == 0)
        return 0;
    char path[128];
    snprintf(path, sizeof path, "%s/%s", src_dir, names[data[0] & 7]);
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    if (size > 1 && fwrite(data + 1, 1, size - 1, f) != size - 1)
        abort();
    if (fclose(f) != 0)
        abort();

    cti_source_opts o;
    memset(&o, 0, sizeof o);
    o.max_inflate = 1u << 20;
    o.max_file_bytes = 1u << 22;
    cti_source_cb cb;
    memset(&cb, 0, sizeof cb);
    cb.article = src_article;
    cb.problem = src_problem;
    src_ctx c;
    memset(&c, 0, sizeof c);
    c.jsonl = (data[0] & 7) == 2 || (data[0] & 7) == 3;
    int rc = cti_source_walk(path, &o, &cb, &c);
    FUZZ_CHECK(rc == 0);
    unlink(path);
    (void)cti_source_is_binary((const char *)data, size);
    return 0;
}
