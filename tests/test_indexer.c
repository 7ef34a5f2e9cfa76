/*
 * test_indexer.c - cti_indexer: id terms, incremental runs, the writer
 * lock, the language check, the two write paths agreeing (also over
 * a segment flushed several times), and taking articles out (--remove,
 * --prune, collections that shrink, ids met twice, records of the first
 * format).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cti_indexer.h"
#include "cti_indexer_int.h"
#include "cti_schema.h"
#include "cti_xapian.h"

typedef struct fixture {
    char dir[64];   /* scratch folder */
    char in[96];    /* input folder */
    char db[96];    /* index folder */
    FILE *err;      /* diagnostics, kept for inspection */
} fixture;

static int rm_one(const char *p, const struct stat *sb, int flag,
                  struct FTW *ftw)
{
    (void)sb;
    (void)ftw;
    return flag == FTW_DP ? rmdir(p) : unlink(p);
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    if (!fx)
        return -1;
    strcpy(fx->dir, "/tmp/cti-test-indexer-XXXXXX");
    if (!mkdtemp(fx->dir))
        return -1;
    snprintf(fx->in, sizeof fx->in, "%s/in", fx->dir);
    snprintf(fx->db, sizeof fx->db, "%s/db", fx->dir);
    mkdir(fx->in, 0777);
    fx->err = tmpfile();
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    nftw(fx->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    if (fx->err)
        fclose(fx->err);
    free(fx);
    return 0;
}

/* One run over 'path' with the given bulk mode; returns finish()'s value. */
static int run(fixture *fx, const char *db, const char *path, int bulk,
               cti_indexer_stats *st)
{
    cti_indexer_opts o;
    cti_indexer *ix = NULL;
    cti_indexer_opts_init(&o);
    o.db = db;
    o.bulk = bulk;
    o.quiet = 1;
    o.err = fx->err;
    if (cti_indexer_new(&o, &ix) != 0)
        return -2;
    cti_indexer_add_path(ix, path);
    int rc = cti_indexer_finish(ix, st);
    cti_indexer_free(ix);
    return rc;
}

/* Options of one run beyond the defaults of run(). */
typedef struct runopts {
    int prune;
    const char *const *remove;  /* NULL-terminated: ids or paths */
    const char *id_prefix;
    int scoped_ids;
} runopts;

/* One run with options 'ro'; returns finish()'s value (-2: no indexer). */
static int run_with(fixture *fx, const char *path, const runopts *ro,
                    cti_indexer_stats *st)
{
    cti_indexer_opts o;
    cti_indexer *ix = NULL;
    cti_indexer_opts_init(&o);
    o.db = fx->db;
    o.quiet = 0; /* warnings wanted in fx->err */
    o.err = fx->err;
    o.prune = ro->prune;
    o.id_prefix = ro->id_prefix;
    o.scoped_ids = ro->scoped_ids;
    if (cti_indexer_new(&o, &ix) != 0)
        return -2;
    for (size_t i = 0; ro->remove && ro->remove[i]; i++)
        assert_true(cti_indexer_remove(ix, ro->remove[i]) >= 0);
    if (path)
        cti_indexer_add_path(ix, path);
    int rc = cti_indexer_finish(ix, st);
    cti_indexer_free(ix);
    return rc;
}

/* The diagnostics written so far (static buffer), then forget them. */
static const char *errors(fixture *fx)
{
    static char buf[8192];
    rewind(fx->err);
    size_t n = fread(buf, 1, sizeof buf - 1, fx->err);
    buf[n] = '\0';
    fclose(fx->err);
    fx->err = tmpfile();
    return buf;
}

static uint32_t termfreq(const char *db, const char *term)
{
    cti_db *d = NULL;
    uint32_t n = 0;
    assert_int_equal(cti_db_open(db, CTI_DB_READ, &d), CTI_OK);
    assert_int_equal(cti_db_termfreq(d, term, strlen(term), &n), CTI_OK);
    cti_db_free(d);
    return n;
}

static void test_idterm(void **state)
{
    (void)state;
    char a[CTI_IDTERM_MAX + 1], b[CTI_IDTERM_MAX + 1], id[400];
    assert_int_equal(cti_schema_idterm("n1", 2, a), 3);
    assert_string_equal(a, "Qn1");
    /* Ids too long for a Xapian term keep a head and a hash of the whole. */
    memset(id, 'x', sizeof id);
    size_t la = cti_schema_idterm(id, sizeof id, a);
    id[sizeof id - 1] = 'y';
    size_t lb = cti_schema_idterm(id, sizeof id, b);
    assert_int_equal(la, CTI_IDTERM_MAX);
    assert_int_equal(lb, CTI_IDTERM_MAX);
    assert_memory_equal(a, "Qxxxx", 5);
    assert_non_null(strchr(a, '#'));
    assert_string_not_equal(a, b);
}

static void test_incremental(void **state)
{
    fixture *fx = *state;
    cti_indexer_stats st;
    write_file(fx->in, "a.txt", "Alpha\n\nThe first article about otters.\n");
    write_file(fx->in, "b.txt", "Beta\n\nThe second article about beavers.\n");

    assert_int_equal(run(fx, fx->db, fx->in, CTI_BULK_AUTO, &st), 0);
    assert_int_equal(st.added, 2);
    assert_int_equal(st.articles, 2);
    assert_int_equal(termfreq(fx->db, "otter"), 1);

    assert_int_equal(run(fx, fx->db, fx->in, CTI_BULK_AUTO, &st), 0);
    assert_int_equal(st.unchanged, 2);
    assert_int_equal(st.added + st.updated + st.removed, 0);
    assert_int_equal(st.bytes, 0);

    /* A different size makes the change visible to stat() at once. */
    write_file(fx->in, "a.txt", "Alpha\n\nThe first article, now about minks.\n");
    char gone[256];
    snprintf(gone, sizeof gone, "%s/b.txt", fx->in);
    unlink(gone);
    assert_int_equal(run(fx, fx->db, fx->in, CTI_BULK_AUTO, &st), 0);
    assert_int_equal(st.updated, 1);
    assert_int_equal(st.removed, 1);
    assert_int_equal(st.articles, 1);
    assert_int_equal(termfreq(fx->db, "otter"), 0);
    assert_int_equal(termfreq(fx->db, "mink"), 1);
    assert_int_equal(termfreq(fx->db, "beaver"), 0);
}

static void test_failed_input(void **state)
{
    fixture *fx = *state;
    cti_indexer_stats st;
    char missing[256];
    snprintf(missing, sizeof missing, "%s/no-such-file.txt", fx->dir);
    assert_int_equal(run(fx, fx->db, missing, CTI_BULK_AUTO, &st), 1);
    assert_int_equal(st.failed, 1);
}

static void test_lock(void **state)
{
    fixture *fx = *state;
    cti_indexer_opts o;
    cti_indexer *first = NULL, *second = NULL;
    cti_indexer_opts_init(&o);
    o.db = fx->db;
    o.quiet = 1;
    o.err = fx->err;
    assert_int_equal(cti_indexer_new(&o, &first), 0);
    assert_int_equal(cti_indexer_new(&o, &second), -1);
    assert_null(second);
    /* The refusal names the index. */
    char buf[1024] = "";
    rewind(fx->err);
    size_t n = fread(buf, 1, sizeof buf - 1, fx->err);
    buf[n] = '\0';
    assert_non_null(strstr(buf, "being written by another cti-index"));
    assert_non_null(strstr(buf, fx->db));
    cti_indexer_free(first);
    assert_int_equal(cti_indexer_new(&o, &second), 0);
    cti_indexer_free(second);
}

static void test_language(void **state)
{
    fixture *fx = *state;
    cti_indexer_opts o;
    cti_indexer *ix = NULL;
    cti_indexer_stats st;
    write_file(fx->in, "a.txt", "Alpha\n\nLes chats mangent.\n");
    cti_indexer_opts_init(&o);
    o.db = fx->db;
    o.quiet = 1;
    o.err = fx->err;
    o.language = "french";
    assert_int_equal(cti_indexer_new(&o, &ix), 0);
    assert_int_equal(cti_indexer_add_path(ix, fx->in), 0);
    assert_int_equal(cti_indexer_finish(ix, &st), 0);
    cti_indexer_free(ix);
    o.language = "english";
    assert_int_equal(cti_indexer_new(&o, &ix), -1);
    assert_null(ix);
    o.language = NULL; /* the index's own language */
    assert_int_equal(cti_indexer_new(&o, &ix), 0);
    cti_indexer_free(ix);
}

static void test_paths_agree(void **state)
{
    fixture *fx = *state;
    cti_indexer_stats st;
    char direct[128], bulk[128];
    write_file(fx->in, "a.txt", "Harbor news\n\nThe harbor reopened after repairs.\n");
    write_file(fx->in, "b.jsonl",
               "{\"id\":\"j1\",\"title\":\"Bridge\",\"text\":\"The bridge closed.\","
               "\"author\":\"Ada Lovelace\",\"date\":\"2024-07-15\"}\n");
    snprintf(direct, sizeof direct, "%s/direct", fx->dir);
    snprintf(bulk, sizeof bulk, "%s/bulk", fx->dir);
    assert_int_equal(run(fx, direct, fx->in, CTI_BULK_NEVER, &st), 0);
    assert_int_equal(st.bulk, 0);
    assert_int_equal(run(fx, bulk, fx->in, CTI_BULK_ALWAYS, &st), 0);
    assert_int_equal(st.bulk, 1);
    const char *terms[] = { "harbor", "Sharbor", "bridg", "Alovelac",
                            "Y2024", "M202407", "D20240715", "Qj1" };
    for (size_t i = 0; i < sizeof terms / sizeof *terms; i++) {
        assert_int_equal(termfreq(direct, terms[i]), 1);
        assert_int_equal(termfreq(bulk, terms[i]), 1);
    }
}

static void test_remove(void **state)
{
    fixture *fx = *state;
    cti_indexer_stats st;
    char sub[128], feed[128];
    runopts ro = { 0 };
    snprintf(sub, sizeof sub, "%s/sub", fx->in);
    mkdir(sub, 0777);
    write_file(fx->in, "a.txt", "Alpha\n\nAbout otters.\n");
    write_file(sub, "b.txt", "Beta\n\nAbout beavers.\n");
    write_file(sub, "c.txt", "Gamma\n\nAbout coypus.\n");
    write_file(fx->in, "f.jsonl", "{\"id\":\"n1\",\"text\":\"About narwhals.\"}\n"
                                  "{\"id\":\"n2\",\"text\":\"About newts.\"}\n");
    snprintf(feed, sizeof feed, "%s/f.jsonl", fx->in);
    assert_int_equal(run_with(fx, fx->in, &ro, &st), 0);
    assert_int_equal(st.added, 5);

    /* By id, and an id the index does not hold: counted as failed. */
    const char *ids[] = { "n1", "nope", NULL };
    ro.remove = ids;
    assert_int_equal(run_with(fx, NULL, &ro, &st), 1);
    assert_int_equal(st.removed, 1);
    assert_int_equal(st.failed, 1);
    assert_int_equal(st.articles, 4);
    assert_non_null(strstr(errors(fx), "nope: not in the index"));
    assert_int_equal(termfreq(fx->db, "narwhal"), 0);
    assert_int_equal(termfreq(fx->db, "newt"), 1);

    /* By folder (with a trailing slash), then by collection file. */
    char subslash[140];
    snprintf(subslash, sizeof subslash, "%s/", sub);
    const char *paths[] = { subslash, feed, NULL };
    ro.remove = paths;
    assert_int_equal(run_with(fx, NULL, &ro, &st), 0);
    assert_int_equal(st.removed, 3);
    assert_int_equal(st.articles, 1);
    assert_int_equal(termfreq(fx->db, "otter"), 1);
    assert_int_equal(termfreq(fx->db, "newt"), 0);
}

static void test_collection_shrinks(void **state)
{
    fixture *fx = *state;
    cti_indexer_stats st;
    runopts ro = { 0 };
    char feed[128];
    snprintf(feed, sizeof feed, "%s/f.jsonl", fx->in);
    write_file(fx->in, "f.jsonl", "{\"id\":\"s1\",\"text\":\"About skinks.\"}\n"
                                  "{\"id\":\"s2\",\"text\":\"About sloths.\"}\n"
                                  "{\"id\":\"s3\",\"text\":\"About stoats.\"}\n");
    assert_int_equal(run_with(fx, feed, &ro, &st), 0);
    assert_int_equal(st.added, 3);
    /* A bad line: nothing leaves, and the run says why. */
    write_file(fx->in, "f.jsonl", "{\"id\":\"s1\",\"text\":\"About skinks.\"}\n"
                                  "{\"id\":\n");
    assert_int_equal(run_with(fx, feed, &ro, &st), 1);
    assert_int_equal(st.removed, 0);
    assert_int_equal(st.articles, 3);
    assert_non_null(strstr(errors(fx), "not read completely, so its 2 articles"));
    /* Read cleanly: the records gone from the file leave. */
    write_file(fx->in, "f.jsonl", "{\"id\":\"s1\",\"text\":\"About skinks.\"}\n");
    assert_int_equal(run_with(fx, feed, &ro, &st), 0);
    assert_int_equal(st.removed, 2);
    assert_int_equal(st.unchanged, 1);
    assert_int_equal(st.articles, 1);
    assert_int_equal(termfreq(fx->db, "sloth"), 0);
    assert_int_equal(termfreq(fx->db, "skink"), 1);
}

static void test_prune(void **state)
{
    fixture *fx = *state;
    cti_indexer_stats st;
    runopts ro = { 0 };
    char p[160], sub[128];
    snprintf(sub, sizeof sub, "%s/sub", fx->in);
    mkdir(sub, 0777);
    write_file(fx->in, "a.txt", "Alpha\n\nAbout otters.\n");
    write_file(sub, "b.txt", "Beta\n\nAbout beavers.\n");
    write_file(sub, "f.jsonl", "{\"id\":\"p1\",\"text\":\"About pikas.\"}\n");
    assert_int_equal(run_with(fx, fx->in, &ro, &st), 0);
    assert_int_equal(st.added, 3);
    snprintf(p, sizeof p, "%s/b.txt", sub);
    unlink(p);
    snprintf(p, sizeof p, "%s/f.jsonl", sub);
    unlink(p);
    rmdir(sub);
    /* Indexing the vanished folder keeps its articles and says so. */
    assert_int_equal(run_with(fx, sub, &ro, &st), 1);
    assert_int_equal(st.articles, 3);
    const char *e = errors(fx);
    assert_non_null(strstr(e, "still holds 2 articles"));
    assert_non_null(strstr(e, "--prune"));
    ro.prune = 1;
    assert_int_equal(run_with(fx, NULL, &ro, &st), 0);
    assert_int_equal(st.removed, 2);
    assert_int_equal(st.articles, 1);
    assert_int_equal(termfreq(fx->db, "otter"), 1);
    assert_int_equal(termfreq(fx->db, "pika"), 0);
}

static void test_id_twice(void **state)
{
    fixture *fx = *state;
    cti_indexer_stats st;
    runopts ro = { 0 };
    write_file(fx->in, "a.jsonl", "{\"id\":\"1\",\"text\":\"About yaks.\"}\n");
    write_file(fx->in, "b.jsonl", "{\"id\":\"2\",\"text\":\"Filler.\"}\n"
                                  "{\"id\":\"1\",\"text\":\"About tapirs.\"}\n");
    assert_int_equal(run_with(fx, fx->in, &ro, &st), 0);
    assert_int_equal(st.added, 2);
    assert_int_equal(st.updated, 0);
    assert_int_equal(st.warnings, 1);
    const char *e = errors(fx);
    assert_non_null(strstr(e, "b.jsonl:2: id '1' is also at "));
    assert_non_null(strstr(e, "a.jsonl:1; the later one is kept"));
    assert_int_equal(termfreq(fx->db, "tapir"), 1);
    assert_int_equal(termfreq(fx->db, "yak"), 0);
    for (int k = 0; k < 2; k++) {
        assert_int_equal(run_with(fx, fx->in, &ro, &st), 0);
        assert_int_equal(st.updated, 0);
        assert_int_equal(st.unchanged, 2);
        assert_int_equal(st.warnings, 1);
        assert_int_equal(termfreq(fx->db, "tapir"), 1);
    }
    /* The direct path too: both versions written in turn would show. */
    assert_int_equal(run_with(fx, fx->in, &ro, &st), 0);
    assert_int_equal(st.bytes, 0);

    /* Kept apart: --scoped-ids gives each file its own ids. */
    char db2[128];
    snprintf(db2, sizeof db2, "%s/db2", fx->dir);
    strcpy(fx->db, db2);
    ro.scoped_ids = 1;
    assert_int_equal(run_with(fx, fx->in, &ro, &st), 0);
    assert_int_equal(st.added, 3);
    assert_int_equal(st.warnings, 0);
    char *real = realpath(fx->in, NULL);
    char term[256];
    snprintf(term, sizeof term, "Q%s/a.jsonl#1", real);
    free(real);
    assert_int_equal(termfreq(fx->db, term), 1);
    assert_int_equal(termfreq(fx->db, "yak"), 1);
}

/* The main database of the index folder 'db' (its stub's first line). */
static void main_db(const char *db, char *out, size_t n)
{
    char stub[160], line[128];
    snprintf(stub, sizeof stub, "%s/XAPIANDB", db);
    FILE *f = fopen(stub, "r");
    assert_non_null(f);
    assert_non_null(fgets(line, sizeof line, f));
    fclose(f);
    line[strcspn(line, "\n")] = '\0';
    assert_memory_equal(line, "glass ", 6);
    snprintf(out, n, "%s/%s", db, line + 6);
}

static void test_old_records(void **state)
{
    fixture *fx = *state;
    cti_indexer_stats st;
    runopts ro = { 0 };
    char feed[128], path[200];
    snprintf(feed, sizeof feed, "%s/f.jsonl", fx->in);
    write_file(fx->in, "f.jsonl", "{\"id\":\"o1\",\"text\":\"About orcas.\"}\n"
                                  "{\"id\":\"o2\",\"text\":\"About okapis.\"}\n");
    assert_int_equal(run_with(fx, feed, &ro, &st), 0);
    /* Give o1 the record an index got before records named their file. */
    main_db(fx->db, path, sizeof path);
    cti_db *db = NULL;
    cti_doc *doc = NULL;
    uint32_t docid;
    char *hash = NULL, *data = NULL, *v = NULL;
    size_t hl, dl, vl;
    assert_int_equal(cti_db_open(path, CTI_DB_OPEN, &db), CTI_OK);
    assert_int_equal(cti_db_find(db, "Qo1", 3, &docid), CTI_OK);
    assert_int_equal(cti_db_get_value(db, docid, 1, &v, &vl), CTI_OK);
    assert_memory_equal(v, "r 0 ", 4);
    free(v);
    assert_int_equal(cti_db_get_value(db, docid, 2, &hash, &hl), CTI_OK);
    assert_int_equal(cti_db_get_data(db, docid, &data, &dl), CTI_OK);
    assert_int_equal(cti_doc_new(&doc), CTI_OK);
    assert_int_equal(cti_doc_add_term(doc, "Qo1", 3, 0), CTI_OK);
    assert_int_equal(cti_doc_set_value(doc, 1, "j o1", 4), CTI_OK);
    assert_int_equal(cti_doc_set_value(doc, 2, hash, hl), CTI_OK);
    assert_int_equal(cti_doc_set_data(doc, data, dl), CTI_OK);
    assert_int_equal(cti_db_replace(db, "Qo1", 3, doc, NULL), CTI_OK);
    assert_int_equal(cti_db_commit(db), CTI_OK);
    cti_doc_free(doc);
    free(hash);
    free(data);
    cti_db_free(db);

    /* It is read (unchanged) and gets the new record... */
    assert_int_equal(run_with(fx, feed, &ro, &st), 0);
    assert_int_equal(st.unchanged, 2);
    assert_int_equal(st.added + st.updated + st.removed, 0);
    main_db(fx->db, path, sizeof path);
    assert_int_equal(cti_db_open(path, CTI_DB_READ, &db), CTI_OK);
    assert_int_equal(cti_db_find(db, "Qo1", 3, &docid), CTI_OK);
    assert_int_equal(cti_db_get_value(db, docid, 1, &v, &vl), CTI_OK);
    assert_memory_equal(v, "r 0 ", 4);
    assert_true(vl > 4 && memmem(v, vl, "/f.jsonl o1", 11) != NULL);
    free(v);
    cti_db_free(db);
    /* ...so it leaves with its line. */
    write_file(fx->in, "f.jsonl", "{\"id\":\"o2\",\"text\":\"About okapis.\"}\n");
    assert_int_equal(run_with(fx, feed, &ro, &st), 0);
    assert_int_equal(st.removed, 1);
    assert_int_equal(termfreq(fx->db, "orca"), 0);
}

/* Matches of the exact phrase 'a b' (stems) in db. */
static uint32_t phrase_count(const char *db, const char *a, const char *b)
{
    cti_db *d = NULL;
    cti_xq *t[2] = { NULL, NULL }, *q = NULL;
    cti_enquire *e = NULL;
    cti_mset *m = NULL;
    assert_int_equal(cti_db_open(db, CTI_DB_READ, &d), CTI_OK);
    assert_int_equal(cti_xq_term(a, strlen(a), 1, 1, &t[0]), CTI_OK);
    assert_int_equal(cti_xq_term(b, strlen(b), 1, 2, &t[1]), CTI_OK);
    assert_int_equal(cti_xq_combine(CTI_XQ_PHRASE, t, 2, 0, &q), CTI_OK);
    assert_int_equal(cti_enquire_new(d, &e), CTI_OK);
    assert_int_equal(cti_enquire_set_query(e, q), CTI_OK);
    assert_int_equal(cti_enquire_run(e, 0, 0, UINT32_MAX, &m), CTI_OK);
    uint32_t n = cti_mset_matches_lower(m);
    assert_int_equal(n, cti_mset_matches_upper(m));
    cti_mset_free(m);
    cti_enquire_free(e);
    cti_xq_free(q);
    cti_xq_free(t[0]);
    cti_xq_free(t[1]);
    cti_db_free(d);
    return n;
}

/*
 * One worker thread gets several flushes' worth of text (CTI_FLUSH_KB
 * each) in one segment: every article, word and phrase position must
 * come out as the direct path writes them.
 */
static void test_flushed_segment_agrees(void **state)
{
    fixture *fx = *state;
    cti_indexer_stats st;
    char direct[128], bulk[128], name[32], word[32];
    const int files = 150;      /* 150 x ~7 KB: several flushes of 256 KB */
    for (int i = 0; i < files; i++) {
        char *text = malloc(16384);
        assert_non_null(text);
        int n = snprintf(text, 16384, "Report %d\n\n", i);
        for (int k = 0; k < 150 && n < 16000; k++)
            n += snprintf(text + n, 16384 - (size_t)n,
                          "%s The ferry %s crossed, and tally%d rose. ",
                          k == 7 && i % 3 == 0 ? "The harbor master spoke." : "",
                          k % 2 ? "slowly" : "again", i);
        snprintf(name, sizeof name, "r%03d.txt", i);
        write_file(fx->in, name, text);
        free(text);
    }
    snprintf(direct, sizeof direct, "%s/direct", fx->dir);
    snprintf(bulk, sizeof bulk, "%s/bulk", fx->dir);
    assert_int_equal(run(fx, direct, fx->in, CTI_BULK_NEVER, &st), 0);
    cti_indexer_opts o;
    cti_indexer *ix = NULL;
    cti_indexer_opts_init(&o);
    o.db = bulk;
    o.bulk = CTI_BULK_ALWAYS;
    o.jobs = 1;
    o.quiet = 1;
    o.err = fx->err;
    assert_int_equal(cti_indexer_new(&o, &ix), 0);
    cti_indexer_add_path(ix, fx->in);
    assert_int_equal(cti_indexer_finish(ix, &st), 0);
    cti_indexer_free(ix);
    assert_int_equal(st.bulk, 1);
    assert_true(st.bytes > 3 * (256u << 10));
    assert_int_equal(st.articles, files);
    for (int i = 0; i < files; i += 7) {
        snprintf(word, sizeof word, "tally%d", i);
        assert_int_equal(termfreq(direct, word), 1);
        assert_int_equal(termfreq(bulk, word), 1);
    }
    assert_int_equal(phrase_count(direct, "harbor", "master"), (files + 2) / 3);
    assert_int_equal(phrase_count(bulk, "harbor", "master"), (files + 2) / 3);
    assert_int_equal(phrase_count(bulk, "ferri", "slowli"), files);
    assert_int_equal(phrase_count(bulk, "master", "harbor"), 0);
}

/* The spelling count of 'w' in 'm' (0: absent). */
static uint32_t spell_count(cti_smap *m, const char *w)
{
    cti_smap_ent *e = cti_smap_get(m, w, strlen(w), 0, NULL);
    return e ? e->val : 0;
}

/*
 * Spelling counts are documents, not occurrences: a word repeated in a
 * document counts once, in each document it is in, and in each map it
 * is counted into, whatever the analyzer remembers of the words it met.
 */
static void test_spelling_counts(void **state)
{
    (void)state;
    cti_analyzer *a = NULL;
    assert_int_equal(cti_analyzer_new("english", &a), CTI_OK);
    cti_smap m1 = { 0 }, m2 = { 0 };
    static const char t1[] = "Tax reform", b1[] = "the tax, the Tax cut; reform";
    static const char b2[] = "tax tax bill", b3[] = "Tax bill";
    assert_int_equal(cti_docbuild_words(a, t1, strlen(t1), b1, strlen(b1), NULL, 0,
                                        &m1, 1), CTI_OK);
    assert_int_equal(cti_docbuild_words(a, NULL, 0, b2, strlen(b2), NULL, 0, &m1, 2),
                     CTI_OK);
    assert_int_equal(cti_docbuild_words(a, NULL, 0, b3, strlen(b3), NULL, 0, &m2, 2),
                     CTI_OK);
    /* Document 2 again: counted already. */
    assert_int_equal(cti_docbuild_words(a, NULL, 0, b2, strlen(b2), NULL, 0, &m1, 2),
                     CTI_OK);
    assert_int_equal(spell_count(&m1, "tax"), 2);
    assert_int_equal(spell_count(&m1, "reform"), 1);
    assert_int_equal(spell_count(&m1, "the"), 1);
    assert_int_equal(spell_count(&m1, "cut"), 1);
    assert_int_equal(spell_count(&m1, "bill"), 1);
    assert_int_equal(spell_count(&m2, "tax"), 1);
    assert_int_equal(spell_count(&m2, "bill"), 1);
    assert_int_equal(spell_count(&m2, "reform"), 0);
    cti_smap_free(&m1);
    cti_smap_free(&m2);
    cti_analyzer_free(a);
}

int main(void)
{
    /* As cti-index does: the indexer commits by itself. */
    setenv(CTI_XAPIAN_FLUSH_ENV, CTI_INDEXER_FLUSH_THRESHOLD, 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_idterm),
        cmocka_unit_test(test_spelling_counts),
        cmocka_unit_test_setup_teardown(test_incremental, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_language, setup, teardown),
        cmocka_unit_test_setup_teardown(test_paths_agree, setup, teardown),
        cmocka_unit_test_setup_teardown(test_remove, setup, teardown),
        cmocka_unit_test_setup_teardown(test_collection_shrinks, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_prune, setup, teardown),
        cmocka_unit_test_setup_teardown(test_id_twice, setup, teardown),
        cmocka_unit_test_setup_teardown(test_old_records, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flushed_segment_agrees, setup,
                                        teardown),
    };
    return cmocka_run_group_tests_name("indexer", tests, NULL, NULL);
}
