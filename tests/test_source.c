/*
 * test_source.c - walking files and folders, .gz, JSON lines, skips, caps,
 * and what the walker does for every format: kinds by name and by
 * content, charsets, dates read, the default source.
 *
 * Every test builds its inputs in a fresh mkdtemp() folder (gzip files
 * are written with zlib at test time) and removes it afterwards.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "cti_source.h"
#include "lib/fixture.h"

/* ------------------------------------------------------------ fixture */

typedef struct rec {
    char *id, *title, *origin, *body, *source, *date, *container;
    char ymd[9];
    int hash_is_content;    /* a->hash == cti_article_hash(a) */
    unsigned long line;
    int64_t size;
} rec;

typedef struct prob {
    char *path, *msg;
    unsigned long line;
    int skipped;
} prob;

typedef struct coll {
    rec arts[256];
    size_t narts;
    prob probs[256];
    size_t nprobs;
    char *walked[64];
    size_t nwalked;
    char *files[64];        /* walked_file: "1 PATH" (complete) or "0 PATH" */
    size_t nfiles;
    char *wanted[256];
    size_t nwanted;
    const char *refuse;     /* want_file returns 0 for ids ending with this */
    const char *remove;     /* want_file unlinks ids ending with this */
    int stop_after;         /* article returns 7 after this many (0: never) */
} coll;

static int ends(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && strcmp(s + a - b, suf) == 0;
}

static char *xstrdup(const char *s)
{
    return s ? strdup(s) : NULL;
}

static int c_want(void *ctx, const char *id, const struct stat *st)
{
    coll *c = ctx;
    assert_true(c->nwanted < 256);
    assert_non_null(st);
    assert_true(id[0] == '/');
    c->wanted[c->nwanted++] = strdup(id);
    if (c->remove && ends(id, c->remove))
        unlink(id);
    return !(c->refuse && ends(id, c->refuse));
}

static int c_article(void *ctx, cti_article *a)
{
    coll *c = ctx;
    assert_true(c->narts < 256);
    rec *r = &c->arts[c->narts++];
    r->id = xstrdup(a->id);
    r->title = xstrdup(a->title);
    r->origin = xstrdup(a->origin);
    r->source = xstrdup(a->source);
    r->date = xstrdup(a->date);
    memcpy(r->ymd, a->ymd, sizeof r->ymd);
    r->hash_is_content = a->hash == cti_article_hash(a);
    r->container = xstrdup(a->container);
    r->line = a->line;
    r->size = a->size;
    /* Take the body: the walker must cope with fields moved out. */
    r->body = a->body;
    a->body = NULL;
    if (c->stop_after && (int)c->narts >= c->stop_after)
        return 7;
    return 0;
}

static void c_problem(void *ctx, const char *path, unsigned long line,
                      const char *msg, int skipped)
{
    coll *c = ctx;
    assert_true(c->nprobs < 256);
    prob *p = &c->probs[c->nprobs++];
    p->path = strdup(path);
    p->msg = strdup(msg);
    p->line = line;
    p->skipped = skipped;
}

static void c_walked(void *ctx, const char *dir)
{
    coll *c = ctx;
    assert_true(c->nwalked < 64);
    c->walked[c->nwalked++] = strdup(dir);
}

static void c_walked_file(void *ctx, const char *path, int complete)
{
    coll *c = ctx;
    assert_true(c->nfiles < 64);
    size_t n = strlen(path) + 3;
    c->files[c->nfiles] = malloc(n);
    assert_non_null(c->files[c->nfiles]);
    snprintf(c->files[c->nfiles++], n, "%d %s", complete != 0, path);
}

static const cti_source_cb CB = { .want_file = c_want, .article = c_article,
                                  .problem = c_problem, .walked_dir = c_walked,
                                  .walked_file = c_walked_file };

static void coll_free(coll *c)
{
    for (size_t i = 0; i < c->narts; i++) {
        free(c->arts[i].id);
        free(c->arts[i].title);
        free(c->arts[i].origin);
        free(c->arts[i].body);
        free(c->arts[i].source);
        free(c->arts[i].date);
        free(c->arts[i].container);
    }
    for (size_t i = 0; i < c->nfiles; i++)
        free(c->files[i]);
    for (size_t i = 0; i < c->nprobs; i++) {
        free(c->probs[i].path);
        free(c->probs[i].msg);
    }
    for (size_t i = 0; i < c->nwalked; i++)
        free(c->walked[i]);
    for (size_t i = 0; i < c->nwanted; i++)
        free(c->wanted[i]);
    memset(c, 0, sizeof *c);
}

/* The article whose id ends with 'suf', or NULL. */
static rec *art(coll *c, const char *suf)
{
    for (size_t i = 0; i < c->narts; i++)
        if (c->arts[i].id && ends(c->arts[i].id, suf))
            return &c->arts[i];
    return NULL;
}

/* The problem whose path ends with 'suf', or NULL. */
static prob *problem_for(coll *c, const char *suf)
{
    for (size_t i = 0; i < c->nprobs; i++)
        if (ends(c->probs[i].path, suf))
            return &c->probs[i];
    return NULL;
}

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
    (void)sb;
    (void)flag;
    (void)f;
    return remove(p);
}

typedef struct tmp {
    char dir[512];   /* as made: may be relative to nothing, absolute */
    char real[1024]; /* its real path */
} tmp;

static void tmp_make(tmp *t)
{
    const char *base = getenv("TMPDIR");
    snprintf(t->dir, sizeof t->dir, "%s/cti-source-XXXXXX",
             base && *base ? base : "/tmp");
    assert_non_null(mkdtemp(t->dir));
    char *r = realpath(t->dir, NULL);
    assert_non_null(r);
    assert_true(strlen(r) < sizeof t->real);
    strcpy(t->real, r);
    free(r);
}

static void tmp_free(tmp *t)
{
    nftw(t->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void put(const tmp *t, const char *rel, const char *data, size_t len)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", t->dir, rel);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    if (len)
        assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static void puts_(const tmp *t, const char *rel, const char *s)
{
    put(t, rel, s, strlen(s));
}

static void put_gz(const tmp *t, const char *rel, const char *data, size_t len)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", t->dir, rel);
    gzFile g = gzopen(p, "wb");
    assert_non_null(g);
    if (len)
        assert_int_equal(gzwrite(g, data, (unsigned)len), (int)len);
    assert_int_equal(gzclose(g), Z_OK);
}

static void mkd(const tmp *t, const char *rel)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", t->dir, rel);
    assert_int_equal(mkdir(p, 0755), 0);
}

static void lnk(const tmp *t, const char *target, const char *rel)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", t->dir, rel);
    assert_int_equal(symlink(target, p), 0);
}

static char *path_of(const tmp *t, const char *rel)
{
    static char p[1024];
    snprintf(p, sizeof p, "%s/%s", t->dir, rel);
    return p;
}

static char *real_of(const tmp *t, const char *rel)
{
    static char p[2200];
    snprintf(p, sizeof p, "%s%s%s", t->real, *rel ? "/" : "", rel);
    return p;
}

/* -------------------------------------------------------------- tests */

static void test_is_binary(void **state)
{
    (void)state;
    assert_int_equal(cti_source_is_binary("plain text\n", 11), 0);
    assert_int_equal(cti_source_is_binary("", 0), 0);
    assert_int_equal(cti_source_is_binary("caf\xc3\xa9 \xff latin-1", 15), 0);
    assert_int_equal(cti_source_is_binary("a\0b", 3), 1);
    assert_int_equal(cti_source_is_binary("%PDF-1.7\n", 9), 1);
    assert_int_equal(cti_source_is_binary("\x89PNG\r\n\x1a\n", 8), 1);
    assert_int_equal(cti_source_is_binary("\x1f\x8b\x08", 3), 1);
    assert_int_equal(cti_source_is_binary("\x01\x02\x03\x04\x05 ab", 8), 1);
    /* One control byte in a long text (as in one SOTU address) is text. */
    char buf[200];
    memset(buf, 'a', sizeof buf);
    buf[100] = '\x02';
    assert_int_equal(cti_source_is_binary(buf, sizeof buf), 0);
    /* A NUL past the first 8 KiB is not looked at. */
    char *big = malloc(10000);
    memset(big, 'x', 10000);
    big[9000] = '\0';
    assert_int_equal(cti_source_is_binary(big, 10000), 0);
    big[10] = '\0';
    assert_int_equal(cti_source_is_binary(big, 10000), 1);
    free(big);
}

/* A tree with nested folders, hidden entries, a binary file, an image,
   an empty file, a symlink loop, a second link to a folder, .gz files
   (good, fake, truncated, bomb) and JSON lines with one bad line. */
static void test_walk_tree(void **state)
{
    (void)state;
    tmp t;
    coll c;
    memset(&c, 0, sizeof c);
    tmp_make(&t);

    puts_(&t, "a.txt", "Title A\n\nBody of a.\n");
    mkd(&t, "b");
    puts_(&t, "b/c.txt", "Title C\n\nBody of c.\n");
    mkd(&t, "b/d");
    puts_(&t, "b/d/e.md", "---\ntitle: Deep E\n---\nBody of e.\n");
    mkd(&t, ".git");
    puts_(&t, ".git/config", "[core]\n");
    puts_(&t, ".hidden.txt", "Hidden\n\nnot to be read\n");
    put(&t, "blob.txt", "Title\0\0\0\x01\x02", 10);
    put(&t, "img.png", "\x89PNG\r\n\x1a\n", 8);
    put(&t, "empty.txt", "", 0);
    lnk(&t, ".", "loop");
    lnk(&t, "b", "link-to-b");
    lnk(&t, "missing-target", "dangling.txt");
    const char *zt = "Zipped Title\n\nThe zipped body.\n";
    put_gz(&t, "z.txt.gz", zt, strlen(zt));
    puts_(&t, "fake.txt.gz", "I am not compressed at all\n");
    /* A truncated gzip: the first half of a real one. */
    {
        char big[4000];
        for (size_t i = 0; i < sizeof big; i++)
            big[i] = (char)('a' + (i * 7919) % 26);
        put_gz(&t, "trunc.txt.gz", big, sizeof big);
        char p[1024];
        snprintf(p, sizeof p, "%s/trunc.txt.gz", t.dir);
        struct stat st;
        assert_int_equal(stat(p, &st), 0);
        assert_int_equal(truncate(p, st.st_size / 2), 0);
    }
    /* A gzip bomb: 4 MiB of spaces, far past the 1 MiB cap used here. */
    {
        size_t n = 4u << 20;
        char *sp = malloc(n);
        memset(sp, ' ', n);
        memcpy(sp, "Bomb\n\n", 6);
        put_gz(&t, "bomb.txt.gz", sp, n);
        free(sp);
    }
    puts_(&t, "news.jsonl",
          "{\"id\": \"n1\", \"title\": \"First\", \"text\": \"one\"}\n"
          "{\"id\": \"n2\", \"title\": \"Broken\" \"text\": \"two\"}\n"
          "\n"
          "{\"id\": 4, \"title\": \"Fourth\", \"text\": \"four\"}");

    cti_source_opts o;
    memset(&o, 0, sizeof o);
    o.max_inflate = 1u << 20;
    assert_int_equal(cti_source_walk(t.dir, &o, &CB, &c), 0);

    /* Articles, in name order: a.txt, b/c.txt, b/d/e.md, news.jsonl
       (n1, 4), z.txt.gz. */
    assert_int_equal(c.narts, 6);
    assert_string_equal(c.arts[0].id, real_of(&t, "a.txt"));
    assert_string_equal(c.arts[0].title, "Title A");
    assert_string_equal(c.arts[0].body, "Body of a.");
    assert_string_equal(c.arts[0].origin, path_of(&t, "a.txt"));
    assert_int_equal(c.arts[0].line, 0);
    assert_int_equal(c.arts[0].size, strlen("Title A\n\nBody of a.\n"));
    assert_string_equal(c.arts[1].id, real_of(&t, "b/c.txt"));
    assert_string_equal(c.arts[2].id, real_of(&t, "b/d/e.md"));
    assert_string_equal(c.arts[2].title, "Deep E");
    assert_string_equal(c.arts[3].id, "n1");
    assert_int_equal(c.arts[3].line, 1);
    assert_int_equal(c.arts[3].size, -1);
    assert_string_equal(c.arts[3].origin, path_of(&t, "news.jsonl"));
    assert_string_equal(c.arts[4].id, "4");
    assert_int_equal(c.arts[4].line, 4);
    assert_string_equal(c.arts[5].id, real_of(&t, "z.txt.gz"));
    assert_string_equal(c.arts[5].title, "Zipped Title");
    assert_string_equal(c.arts[5].body, "The zipped body.");

    /* Nothing hidden was asked for or read. */
    for (size_t i = 0; i < c.nwanted; i++)
        assert_null(strstr(c.wanted[i], "/."));
    for (size_t i = 0; i < c.nprobs; i++)
        assert_null(strstr(c.probs[i].path, "/."));

    /* Each skipped input has a message naming it. */
    prob *p;
    assert_non_null(p = problem_for(&c, "/blob.txt"));
    assert_non_null(strstr(p->msg, "binary"));
    assert_int_equal(p->skipped, CTI_SOURCE_PASSED);
    assert_non_null(p = problem_for(&c, "/img.png"));
    assert_non_null(strstr(p->msg, "not a text file"));
    assert_int_equal(p->skipped, CTI_SOURCE_PASSED);
    assert_non_null(p = problem_for(&c, "/empty.txt"));
    assert_non_null(strstr(p->msg, "empty"));
    assert_non_null(p = problem_for(&c, "/loop"));
    assert_non_null(strstr(p->msg, "already walked"));
    assert_non_null(p = problem_for(&c, "/link-to-b"));
    assert_non_null(strstr(p->msg, "already walked"));
    assert_non_null(p = problem_for(&c, "/dangling.txt"));
    assert_non_null(strstr(p->msg, "broken symbolic link"));
    assert_non_null(p = problem_for(&c, "/fake.txt.gz"));
    assert_non_null(strstr(p->msg, "not gzip"));
    assert_int_equal(p->skipped, CTI_SOURCE_FAILED);
    assert_non_null(p = problem_for(&c, "/trunc.txt.gz"));
    assert_non_null(strstr(p->msg, "truncated"));
    assert_int_equal(p->skipped, CTI_SOURCE_FAILED);
    assert_non_null(p = problem_for(&c, "/bomb.txt.gz"));
    assert_non_null(strstr(p->msg, "inflates to more than the limit of 1048576"));
    assert_int_equal(p->skipped, CTI_SOURCE_FAILED);
    assert_null(art(&c, "bomb.txt.gz"));
    assert_non_null(p = problem_for(&c, "/news.jsonl"));
    assert_int_equal(p->line, 2);
    assert_non_null(strstr(p->msg, "column"));
    assert_int_equal(p->skipped, CTI_SOURCE_FAILED);
    assert_int_equal(c.nprobs, 10);

    /* Every folder was walked completely, deepest first. */
    assert_int_equal(c.nwalked, 3);
    char want[2300];
    snprintf(want, sizeof want, "%s/", real_of(&t, "b/d"));
    assert_string_equal(c.walked[0], want);
    snprintf(want, sizeof want, "%s/", real_of(&t, "b"));
    assert_string_equal(c.walked[1], want);
    snprintf(want, sizeof want, "%s/", t.real);
    assert_string_equal(c.walked[2], want);

    coll_free(&c);
    tmp_free(&t);
}

/* want_file is asked before reading; a refused file is not read. */
static void test_want_file(void **state)
{
    (void)state;
    tmp t;
    coll c;
    memset(&c, 0, sizeof c);
    tmp_make(&t);
    puts_(&t, "keep.txt", "Keep\n\nkeep body");
    puts_(&t, "same.txt", "Same\n\nsame body");
    puts_(&t, "gone.txt", "Gone\n\ngone body");
    c.refuse = "/same.txt";
    c.remove = "/gone.txt";   /* vanishes between stat and open */
    assert_int_equal(cti_source_walk(t.dir, NULL, &CB, &c), 0);
    assert_int_equal(c.nwanted, 3);
    assert_string_equal(c.wanted[0], real_of(&t, "gone.txt"));
    assert_string_equal(c.wanted[1], real_of(&t, "keep.txt"));
    assert_string_equal(c.wanted[2], real_of(&t, "same.txt"));
    assert_int_equal(c.narts, 1);
    assert_string_equal(c.arts[0].title, "Keep");
    prob *p = problem_for(&c, "/gone.txt");
    assert_non_null(p);
    assert_non_null(strstr(p->msg, "vanished"));
    assert_int_equal(p->skipped, CTI_SOURCE_PASSED);
    /* The folder is still complete: gone.txt is gone. */
    assert_int_equal(c.nwalked, 1);
    coll_free(&c);
    tmp_free(&t);
}

/* A file given directly: its id is its real path, even through a
   symlink and a relative path with "..". */
static void test_single_file(void **state)
{
    (void)state;
    tmp t;
    coll c;
    memset(&c, 0, sizeof c);
    tmp_make(&t);
    mkd(&t, "sub");
    puts_(&t, "sub/x.txt", "X Title\n\nx body");
    lnk(&t, "sub/x.txt", "alias.txt");
    char p[1200];
    snprintf(p, sizeof p, "%s/sub/../alias.txt", t.dir);
    assert_int_equal(cti_source_walk(p, NULL, &CB, &c), 0);
    assert_int_equal(c.narts, 1);
    assert_string_equal(c.arts[0].id, real_of(&t, "sub/x.txt"));
    assert_string_equal(c.arts[0].origin, p);
    assert_int_equal(c.nwalked, 0);
    coll_free(&c);

    /* A path that does not exist: -1 and a message naming it. */
    snprintf(p, sizeof p, "%s/nope.txt", t.dir);
    assert_int_equal(cti_source_walk(p, NULL, &CB, &c), -1);
    assert_int_equal(c.nprobs, 1);
    assert_string_equal(c.probs[0].path, p);
    assert_int_equal(c.probs[0].skipped, CTI_SOURCE_FAILED);
    coll_free(&c);

    /* A given file over the size limit is refused. */
    char big[3000];
    memset(big, 'w', sizeof big);
    put(&t, "big.txt", big, sizeof big);
    cti_source_opts o;
    memset(&o, 0, sizeof o);
    o.max_file_bytes = 1000;
    assert_int_equal(cti_source_walk(path_of(&t, "big.txt"), &o, &CB, &c), 0);
    assert_int_equal(c.narts, 0);
    assert_int_equal(c.nprobs, 1);
    assert_non_null(strstr(c.probs[0].msg, "larger than the limit of 1000"));
    coll_free(&c);

    /* Latin-1 (not UTF-8): read as Windows-1252, with a note. */
    puts_(&t, "latin.txt", "Caf\xe9 News\n\nIt costs \xa3" "3 \x96 a \x93" "deal\x94.");
    assert_int_equal(cti_source_walk(path_of(&t, "latin.txt"), NULL, &CB, &c), 0);
    assert_int_equal(c.narts, 1);
    assert_string_equal(c.arts[0].title, "Caf\xc3\xa9 News");
    assert_string_equal(c.arts[0].body, "It costs \xc2\xa3" "3 \xe2\x80\x93 a "
                                        "\xe2\x80\x9c" "deal\xe2\x80\x9d.");
    assert_int_equal(c.nprobs, 1);
    assert_int_equal(c.probs[0].skipped, CTI_SOURCE_NOTE);
    assert_non_null(strstr(c.probs[0].msg, "Windows-1252"));
    coll_free(&c);

    /* UTF-8 with a damaged byte: repaired, with a warning. */
    puts_(&t, "bad.txt", "Caf\xc3\xa9 News\n\nCaf\xc3\xa9 cr\xc3\xa8me \xff end");
    assert_int_equal(cti_source_walk(path_of(&t, "bad.txt"), NULL, &CB, &c), 0);
    assert_int_equal(c.narts, 1);
    assert_string_equal(c.arts[0].title, "Caf\xc3\xa9 News");
    assert_non_null(strstr(c.arts[0].body, "\xef\xbf\xbd end"));
    assert_int_equal(c.nprobs, 1);
    assert_int_equal(c.probs[0].skipped, CTI_SOURCE_WARNING);
    assert_non_null(strstr(c.probs[0].msg, "UTF-8"));
    coll_free(&c);
    tmp_free(&t);
}

/* .jsonl.gz, several gzip members, and a .gz holding a tar archive. */
static void test_gz_kinds(void **state)
{
    (void)state;
    tmp t;
    coll c;
    memset(&c, 0, sizeof c);
    tmp_make(&t);
    const char *jl = "{\"id\":\"g1\",\"text\":\"first\"}\n"
                     "{\"id\":\"g2\",\"text\":\"second\"}\n";
    put_gz(&t, "a.jsonl.gz", jl, strlen(jl));
    /* Two members, as "cat x.gz y.gz" makes. */
    put_gz(&t, "m1.gz", "Two Parts\n\nfirst half, ", 23);
    put_gz(&t, "m2.gz", "second half", 11);
    {
        char p1[1024], p2[1024], out[1024];
        snprintf(p1, sizeof p1, "%s/m1.gz", t.dir);
        snprintf(p2, sizeof p2, "%s/m2.gz", t.dir);
        snprintf(out, sizeof out, "%s/multi.txt.gz", t.dir);
        FILE *o = fopen(out, "wb");
        const char *in[2] = { p1, p2 };
        for (int i = 0; i < 2; i++) {
            FILE *f = fopen(in[i], "rb");
            char b[4096];
            size_t n;
            while ((n = fread(b, 1, sizeof b, f)) > 0)
                fwrite(b, 1, n, o);
            fclose(f);
            unlink(in[i]);
        }
        fclose(o);
    }
    put_gz(&t, "x.tar.gz", "whatever", 8);
    assert_int_equal(cti_source_walk(t.dir, NULL, &CB, &c), 0);
    assert_int_equal(c.narts, 3);
    assert_string_equal(c.arts[0].id, "g1");
    assert_int_equal(c.arts[0].line, 1);
    assert_string_equal(c.arts[1].id, "g2");
    assert_int_equal(c.arts[1].line, 2);
    assert_string_equal(c.arts[2].title, "Two Parts");
    assert_string_equal(c.arts[2].body, "first half, second half");
    prob *p = problem_for(&c, "/x.tar.gz");
    assert_non_null(p);
    assert_int_equal(c.nprobs, 1);
    /* want_file is asked for text files only. */
    assert_int_equal(c.nwanted, 1);
    assert_true(ends(c.wanted[0], "/multi.txt.gz"));
    coll_free(&c);
    tmp_free(&t);
}

/* Folders nested past max_depth are cut with a message, and then the
   folders above are not reported as complete. */
static void test_depth_limit(void **state)
{
    (void)state;
    tmp t;
    coll c;
    memset(&c, 0, sizeof c);
    tmp_make(&t);
    mkd(&t, "1");
    mkd(&t, "1/2");
    mkd(&t, "1/2/3");
    puts_(&t, "1/2/3/deep.txt", "Deep\n\ndeep");
    puts_(&t, "1/2/shallow.txt", "Shallow\n\nshallow");
    mkd(&t, "other");
    puts_(&t, "other/o.txt", "Other\n\nother");
    cti_source_opts o;
    memset(&o, 0, sizeof o);
    o.max_depth = 2;
    assert_int_equal(cti_source_walk(t.dir, &o, &CB, &c), 0);
    assert_int_equal(c.narts, 2);
    assert_string_equal(c.arts[0].title, "Shallow");
    assert_string_equal(c.arts[1].title, "Other");
    prob *p = problem_for(&c, "/1/2/3");
    assert_non_null(p);
    assert_non_null(strstr(p->msg, "deeper than 2"));
    /* Only "other" was complete. */
    assert_int_equal(c.nwalked, 1);
    assert_true(ends(c.walked[0], "/other/"));
    coll_free(&c);
    tmp_free(&t);
}

/* Special files are passed over; a link to a file outside the tree gives
   the target's real path as id; a JSON line with invalid UTF-8 is
   indexed with a warning naming its line. */
static void test_links_and_special(void **state)
{
    (void)state;
    tmp t, out;
    coll c;
    memset(&c, 0, sizeof c);
    tmp_make(&t);
    tmp_make(&out);
    puts_(&out, "target.txt", "Outside\n\nfrom outside");
    mkd(&t, "in");
    char target[1200];
    snprintf(target, sizeof target, "%s/target.txt", out.dir);
    lnk(&t, target, "in/ext.txt");
    assert_int_equal(mkfifo(path_of(&t, "in/pipe.txt"), 0644), 0);
    puts_(&t, "in/u.jsonl", "{\"id\":\"ok\",\"text\":\"fine\"}\n"
                            "{\"id\":\"u\",\"text\":\"caf\xe9\"}\n");
    assert_int_equal(cti_source_walk(path_of(&t, "in"), NULL, &CB, &c), 0);
    assert_int_equal(c.narts, 3);
    assert_string_equal(c.arts[0].id, real_of(&out, "target.txt"));
    assert_string_equal(c.arts[0].origin, path_of(&t, "in/ext.txt"));
    assert_string_equal(c.arts[2].id, "u");
    assert_string_equal(c.arts[2].body, "caf\xef\xbf\xbd");
    prob *p = problem_for(&c, "/pipe.txt");
    assert_non_null(p);
    assert_non_null(strstr(p->msg, "not a regular file"));
    assert_int_equal(p->skipped, CTI_SOURCE_PASSED);
    p = problem_for(&c, "/u.jsonl");
    assert_non_null(p);
    assert_int_equal(p->line, 2);
    assert_int_equal(p->skipped, CTI_SOURCE_WARNING);
    assert_int_equal(c.nprobs, 2);
    assert_int_equal(c.nwalked, 1);
    coll_free(&c);
    tmp_free(&t);
    tmp_free(&out);
}

/* A non-zero return from the article callback stops the walk. */
static void test_stop(void **state)
{
    (void)state;
    tmp t;
    coll c;
    memset(&c, 0, sizeof c);
    tmp_make(&t);
    puts_(&t, "1.txt", "One\n\n1");
    puts_(&t, "2.txt", "Two\n\n2");
    puts_(&t, "3.txt", "Three\n\n3");
    c.stop_after = 2;
    assert_int_equal(cti_source_walk(t.dir, NULL, &CB, &c), 7);
    assert_int_equal(c.narts, 2);
    assert_int_equal(c.nwalked, 0);
    coll_free(&c);

    puts_(&t, "s.jsonl", "{\"text\":\"a\"}\n{\"text\":\"b\"}\n{\"text\":\"c\"}\n");
    c.stop_after = 1;
    assert_int_equal(cti_source_walk(path_of(&t, "s.jsonl"), NULL, &CB, &c), 7);
    assert_int_equal(c.narts, 1);
    coll_free(&c);
    tmp_free(&t);
}

/* "-" reads JSON lines from standard input. */
static void test_stdin(void **state)
{
    (void)state;
    tmp t;
    coll c;
    memset(&c, 0, sizeof c);
    tmp_make(&t);
    puts_(&t, "in.jsonl", "{\"id\":\"s1\",\"text\":\"x\"}\nnot json\n"
                          "{\"id\":\"s3\",\"text\":\"y\"}");
    int saved = dup(0);
    int fd = open(path_of(&t, "in.jsonl"), O_RDONLY);
    assert_true(fd >= 0);
    dup2(fd, 0);
    close(fd);
    int rc = cti_source_walk("-", NULL, &CB, &c);
    dup2(saved, 0);
    close(saved);
    assert_int_equal(rc, 0);
    assert_int_equal(c.narts, 2);
    assert_string_equal(c.arts[0].id, "s1");
    assert_string_equal(c.arts[0].origin, "<stdin>");
    assert_string_equal(c.arts[1].id, "s3");
    assert_int_equal(c.arts[1].line, 3);
    assert_int_equal(c.nprobs, 1);
    assert_string_equal(c.probs[0].path, "<stdin>");
    assert_int_equal(c.probs[0].line, 2);
    coll_free(&c);
    tmp_free(&t);
}

/* The walked_file entry for the file whose path ends with 'suf', or NULL. */
static const char *file_for(coll *c, const char *suf)
{
    for (size_t i = 0; i < c->nfiles; i++)
        if (ends(c->files[i], suf))
            return c->files[i];
    return NULL;
}

/*
 * Collection files: every record carries the real path of its file; a
 * file read without an error (an empty one too) is reported complete, one
 * with a bad line or one that is not gzip data incomplete; text files and
 * standard input are not collections.
 */
static void test_collections(void **state)
{
    (void)state;
    tmp t;
    coll c;
    char want[1100];
    memset(&c, 0, sizeof c);
    tmp_make(&t);
    mkd(&t, "d");
    puts_(&t, "d/good.jsonl", "{\"id\":\"g1\",\"text\":\"x\"}\n"
                              "{\"id\":\"g2\",\"text\":\"y\"}\n");
    puts_(&t, "d/bad.jsonl", "{\"id\":\"b1\",\"text\":\"x\"}\n{\"id\":\n");
    puts_(&t, "d/empty.jsonl", "");
    puts_(&t, "d/fake.jsonl.gz", "not gzip at all");
    const char *z = "{\"id\":\"z1\",\"text\":\"x\"}\n";
    put_gz(&t, "d/z.jsonl.gz", z, strlen(z));
    puts_(&t, "d/a.txt", "Title\n\nSome text.\n");
    assert_int_equal(cti_source_walk(path_of(&t, "d"), NULL, &CB, &c), 0);
    assert_int_equal(c.nfiles, 5);
    snprintf(want, sizeof want, "1 %s/d/good.jsonl", t.real);
    assert_string_equal(file_for(&c, "/good.jsonl"), want);
    snprintf(want, sizeof want, "0 %s/d/bad.jsonl", t.real);
    assert_string_equal(file_for(&c, "/bad.jsonl"), want);
    assert_memory_equal(file_for(&c, "/empty.jsonl"), "1 ", 2);
    assert_memory_equal(file_for(&c, "/fake.jsonl.gz"), "0 ", 2);
    assert_memory_equal(file_for(&c, "/z.jsonl.gz"), "1 ", 2);
    assert_null(file_for(&c, "/a.txt"));
    snprintf(want, sizeof want, "%s/d/good.jsonl", t.real);
    assert_non_null(art(&c, "g2"));
    assert_string_equal(art(&c, "g2")->container, want);
    assert_string_equal(art(&c, "g2")->origin, path_of(&t, "d/good.jsonl"));
    coll_free(&c);

    /* Standard input: records without a file, and no walked_file. */
    int saved = dup(0);
    int fd = open(path_of(&t, "d/good.jsonl"), O_RDONLY);
    assert_true(fd >= 0);
    dup2(fd, 0);
    close(fd);
    int rc = cti_source_walk("-", NULL, &CB, &c);
    dup2(saved, 0);
    close(saved);
    assert_int_equal(rc, 0);
    assert_int_equal(c.narts, 2);
    assert_null(c.arts[0].container);
    assert_int_equal(c.nfiles, 0);
    coll_free(&c);
    tmp_free(&t);
}

/* Big inputs: a 100 MB text file on one line, and a JSON lines file whose
   single line (32 MB) spans many read chunks, then an over-long line (both
   divided by fixture_sample(), the line kept above 8 MB). */
static void test_big_single_line(void **state)
{
    (void)state;
    tmp t;
    coll c;
    memset(&c, 0, sizeof c);
    tmp_make(&t);
    unsigned step = fixture_sample();
    size_t n = 100u * 1000 * 1000 / step;
    size_t m = (32u << 20) / step > (8u << 20) ? (32u << 20) / step : (8u << 20);
    char *s = malloc(n > m + 64 ? n : m + 64);
    assert_non_null(s);
    for (size_t i = 0; i < n; i++)
        s[i] = (i % 7 == 6) ? ' ' : (char)('a' + i % 26);
    put(&t, "huge.txt", s, n);
    assert_int_equal(cti_source_walk(path_of(&t, "huge.txt"), NULL, &CB, &c), 0);
    assert_int_equal(c.narts, 1);
    assert_true(strlen(c.arts[0].body) > n - 10);
    assert_true(strlen(c.arts[0].title) < 400);
    coll_free(&c);

    memcpy(s, "{\"id\":\"big\",\"text\":\"", 20);
    memset(s + 20, 'q', m - 22);
    memcpy(s + m - 2, "\"}", 2);
    s[m] = '\n';
    memcpy(s + m + 1, "{\"id\":\"after\",\"text\":\"t\"}\n", 26);
    put(&t, "big.jsonl", s, m + 27);
    assert_int_equal(cti_source_walk(path_of(&t, "big.jsonl"), NULL, &CB, &c), 0);
    assert_int_equal(c.narts, 2);
    assert_string_equal(c.arts[0].id, "big");
    assert_int_equal(strlen(c.arts[0].body), m - 22);
    assert_string_equal(c.arts[1].id, "after");
    assert_int_equal(c.arts[1].line, 2);
    coll_free(&c);

    /* The same with a cap below the long line: it is skipped, counted,
       and the next line keeps its number. */
    cti_source_opts o;
    memset(&o, 0, sizeof o);
    o.max_file_bytes = 4u << 20;
    int saved = dup(0);
    int fd = open(path_of(&t, "big.jsonl"), O_RDONLY);
    dup2(fd, 0);
    close(fd);
    int rc = cti_source_walk("-", &o, &CB, &c);
    dup2(saved, 0);
    close(saved);
    assert_int_equal(rc, 0);
    assert_int_equal(c.narts, 1);
    assert_string_equal(c.arts[0].id, "after");
    assert_int_equal(c.arts[0].line, 2);
    assert_int_equal(c.nprobs, 1);
    assert_int_equal(c.probs[0].line, 1);
    assert_non_null(strstr(c.probs[0].msg, "longer than the limit"));
    coll_free(&c);
    free(s);
    tmp_free(&t);
}

/* The SOTU folder: 233 articles, one per file, in name order. */
static void test_sotu_folder(void **state)
{
    (void)state;
    coll *c = calloc(1, sizeof *c);
    const char *data = getenv("CTI_TEST_DATA");
    char p[1024];
    snprintf(p, sizeof p, "%s/sotu", data ? data : "tests/data");
    size_t count;
    int ordered = 1;
    assert_int_equal(cti_source_walk(p, NULL, &CB, c), 0);
    count = 0;
    for (size_t i = 0; i < c->narts; i++)
        count += ends(c->arts[i].id, ".txt");
    for (size_t i = 1; i < c->narts; i++)
        if (strcmp(c->arts[i - 1].id, c->arts[i].id) >= 0)
            ordered = 0;
    /* 233 addresses, and the LICENSE file (text too). */
    assert_int_equal(count, 233);
    assert_int_equal(c->narts, 234);
    assert_true(ordered);
    assert_int_equal(c->nprobs, 0);
    assert_int_equal(c->nwalked, 1);
    coll_free(c);
    free(c);
}

/* What a walk with the passed and consumed callbacks sees. */
typedef struct told {
    coll c;
    char *passed[16];
    int64_t passed_size[16];
    size_t npassed;
    uint64_t consumed;
} told;

static void t_passed(void *ctx, const char *path, const char *msg,
                     const char *id, const struct stat *st)
{
    told *t = ctx;
    (void)path;
    (void)msg;
    assert_true(t->npassed < 16);
    assert_true(id[0] == '/');
    t->passed_size[t->npassed] = (int64_t)st->st_size;
    t->passed[t->npassed++] = strdup(id);
}

static void t_consumed(void *ctx, uint64_t bytes)
{
    ((told *)ctx)->consumed += bytes;
}

static int t_article(void *ctx, cti_article *a)
{
    return c_article(&((told *)ctx)->c, a);
}

static void t_problem(void *ctx, const char *path, unsigned long line,
                      const char *msg, int skipped)
{
    c_problem(&((told *)ctx)->c, path, line, msg, skipped);
}

/*
 * A measure adds up what a walk goes through (hidden entries, loops and
 * a folder seen twice left out), and the walk tells as much consumed;
 * files passed over go to the passed callback with their real path.
 */
static void test_measure_and_passed(void **state)
{
    (void)state;
    tmp t;
    told w;
    memset(&w, 0, sizeof w);
    tmp_make(&t);
    puts_(&t, "a.txt", "Title A\n\nBody of a.\n");
    mkd(&t, "b");
    puts_(&t, "b/c.jsonl", "{\"id\":\"1\",\"text\":\"x\"}\n");
    put(&t, "b/doc.pdf", "%PDF-1.4 abc", 12);
    put(&t, "empty.txt", "", 0);
    puts_(&t, ".hidden.txt", "Hidden\n\nnot counted\n");
    lnk(&t, ".", "loop");
    lnk(&t, "b", "link-to-b");
    uint64_t bytes = 0, want = 0;
    static const char *const visited[] = { "a.txt", "b/c.jsonl", "b/doc.pdf",
                                           "empty.txt" };
    for (size_t i = 0; i < 4; i++) {
        struct stat sb;
        assert_int_equal(stat(path_of(&t, visited[i]), &sb), 0);
        want += (uint64_t)sb.st_size;
    }
    assert_int_equal(cti_source_measure(t.dir, NULL, &bytes), 0);
    assert_int_equal(bytes, want);
    cti_source_cb cb = { .article = t_article, .problem = t_problem,
                         .passed = t_passed, .consumed = t_consumed };
    assert_int_equal(cti_source_walk(t.dir, NULL, &cb, &w), 0);
    assert_int_equal(w.consumed, bytes);
    assert_int_equal(w.c.narts, 2);
    assert_int_equal(w.npassed, 2);
    for (size_t i = 0; i < w.npassed; i++) {
        assert_true(ends(w.passed[i], "/b/doc.pdf") || ends(w.passed[i], "/empty.txt"));
        assert_int_equal(w.passed_size[i], ends(w.passed[i], ".pdf") ? 12 : 0);
        free(w.passed[i]);
    }
    /* Passed-over files no longer go to problem; the loop still does. */
    assert_null(problem_for(&w.c, "doc.pdf"));
    assert_null(problem_for(&w.c, "empty.txt"));
    assert_non_null(problem_for(&w.c, "loop"));
    /* A single file, and what cannot be measured. */
    assert_int_equal(cti_source_measure(path_of(&t, "a.txt"), NULL, &bytes), 0);
    assert_int_equal(bytes, strlen("Title A\n\nBody of a.\n"));
    assert_int_equal(cti_source_measure("-", NULL, &bytes), -1);
    assert_int_equal(bytes, 0);
    assert_int_equal(cti_source_measure(path_of(&t, "nothing"), NULL, &bytes), -1);
    coll_free(&w.c);
    tmp_free(&t);
}

/* The number of problems of kind 'skipped' whose message holds 'what'. */
static size_t nprob(const coll *c, int skipped, const char *what)
{
    size_t n = 0;
    for (size_t i = 0; i < c->nprobs; i++)
        n += c->probs[i].skipped == skipped && strstr(c->probs[i].msg, what);
    return n;
}

/* A folder of every format: each read by its kind (or, for a web page
   saved as .txt, by its content), dates read with the order asked for,
   the default source given to articles without one. */
static void test_formats(void **state)
{
    (void)state;
    tmp t;
    coll c;
    memset(&c, 0, sizeof c);
    tmp_make(&t);
    puts_(&t, "a.txt", "---\ntitle: Text one\ndate: 03/04/2005\n---\nBody one.\n");
    puts_(&t, "saved.txt", "<!DOCTYPE html><html><head><title>Saved page</title>"
                           "<meta property=\"og:site_name\" content=\"Site\">"
                           "</head><body><p>Page body.</p></body></html>");
    puts_(&t, "b.csv", "title,text,date\nCsv \x93one\x94,Caf\xe9 row.,not a date\n");
    puts_(&t, "c.json", "[{\"title\": \"Json one\", \"text\": \"J.\", "
                        "\"publishedAt\": 1514764800}]");
    put(&t, "d.txt", "\xff\xfeU\0t\0f\0 \0\xe9\0\n\0\n\0x\0", 18);
    puts_(&t, "e.tsv", "headline\tbody\nTsv one\tT.\n");
    cti_source_opts o;
    memset(&o, 0, sizeof o);
    o.date_order = CTI_DATE_DMY;
    o.source = "Default Wire";
    assert_int_equal(cti_source_walk(t.dir, &o, &CB, &c), 0);
    assert_int_equal(c.narts, 6);
    rec *r = art(&c, "/a.txt");
    assert_non_null(r);
    assert_string_equal(r->ymd, "20050403");          /* day first, as asked */
    assert_string_equal(r->date, "03/04/2005");       /* as written */
    assert_string_equal(r->source, "Default Wire");
    assert_false(r->hash_is_content);                 /* marked: read as dmy */
    for (size_t i = 0; i < c.narts; i++)
        if (&c.arts[i] != r)
            assert_true(c.arts[i].hash_is_content);
    r = art(&c, "/saved.txt");
    assert_string_equal(r->title, "Saved page");
    assert_string_equal(r->body, "Page body.");
    assert_string_equal(r->source, "Site");           /* its own source kept */
    assert_int_equal(r->line, 0);
    assert_true(r->size > 0);
    r = art(&c, "/b.csv#");
    assert_null(r);                                   /* ids end in the hash */
    for (size_t i = 0; i < c.narts; i++)
        if (strstr(c.arts[i].id, "/b.csv#"))
            r = &c.arts[i];
    assert_non_null(r);
    assert_string_equal(r->title, "Csv \xe2\x80\x9cone\xe2\x80\x9d");
    assert_string_equal(r->body, "Caf\xc3\xa9 row.");
    assert_string_equal(r->ymd, "");                  /* not readable */
    assert_int_equal(r->line, 2);
    for (size_t i = 0; i < c.narts; i++)
        if (strstr(c.arts[i].id, "/c.json#"))
            r = &c.arts[i];
    assert_string_equal(r->title, "Json one");
    assert_string_equal(r->ymd, "20180101");
    r = art(&c, "/d.txt");
    assert_string_equal(r->title, "Utf \xc3\xa9");
    assert_string_equal(r->body, "x");
    for (size_t i = 0; i < c.narts; i++)
        if (strstr(c.arts[i].id, "/e.tsv#"))
            r = &c.arts[i];
    assert_string_equal(r->title, "Tsv one");
    /* What was said: the CSV's charset, its unreadable date. */
    assert_int_equal(nprob(&c, CTI_SOURCE_NOTE, "Windows-1252"), 1);
    assert_int_equal(nprob(&c, CTI_SOURCE_UNDATED, "\"not a date\""), 1);
    assert_int_equal(c.nprobs, 2);
    /* Web pages go through want_file (by their stat), records do not. */
    size_t pages = 0;
    for (size_t i = 0; i < c.nwanted; i++)
        pages += ends(c.wanted[i], ".txt");
    assert_int_equal(pages, 3);
    assert_int_equal(c.nwanted, 3);
    coll_free(&c);
    tmp_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_is_binary),
        cmocka_unit_test(test_walk_tree),
        cmocka_unit_test(test_want_file),
        cmocka_unit_test(test_single_file),
        cmocka_unit_test(test_gz_kinds),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_links_and_special),
        cmocka_unit_test(test_stop),
        cmocka_unit_test(test_stdin),
        cmocka_unit_test(test_collections),
        cmocka_unit_test(test_big_single_line),
        cmocka_unit_test(test_sotu_folder),
        cmocka_unit_test(test_measure_and_passed),
        cmocka_unit_test(test_formats),
    };
    return cmocka_run_group_tests_name("source", tests, NULL, NULL);
}
