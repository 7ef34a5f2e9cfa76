/*
 * test_shard.c - sharded layout: stable placement, stub parsing, layout
 * creation, shards searched as one with global statistics, un-sharding.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <ftw.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cti_schema.h"
#include "cti_sharding.h"
#include "cti_xapian.h"
#include "lib/scratch.h"

static int setup(void **state)
{
    (void)state;
    return scratch_make("shard");
}

static int teardown(void **state)
{
    (void)state;
    return scratch_remove();
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static char *read_file(const char *path)
{
    static char buf[4096];
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* FNV-1a 64 reference values: the placement rule is part of the format. */
static void test_hash_is_fnv1a(void **state)
{
    (void)state;
    assert_true(cti_shard_hash("", 0) == 0xcbf29ce484222325ULL);
    assert_true(cti_shard_hash("a", 1) == 0xaf63dc4c8601ec8cULL);
    assert_true(cti_shard_hash("foobar", 6) == 0x85944171f73967e8ULL);
    /* Pinned placements: changing these would misplace existing articles. */
    assert_int_equal(cti_shard_pick("foobar", 6, 3),
                     (unsigned)(0x85944171f73967e8ULL % 3));
    assert_int_equal(cti_shard_pick("a", 1, 7),
                     (unsigned)(0xaf63dc4c8601ec8cULL % 7));
    assert_int_equal(cti_shard_pick("anything", 8, 1), 0);
    assert_int_equal(cti_shard_pick("anything", 8, 0), 0);
}

static void test_pick_spreads(void **state)
{
    (void)state;
    unsigned count[4] = {0};
    char id[64];
    for (int i = 0; i < 4000; i++) {
        int n = snprintf(id, sizeof id, "/news/2024/article-%d.txt", i);
        unsigned s = cti_shard_pick(id, (size_t)n, 4);
        assert_true(s < 4);
        count[s]++;
        /* Stable: the same id always lands in the same shard. */
        assert_int_equal(cti_shard_pick(id, (size_t)n, 4), s);
    }
    for (int s = 0; s < 4; s++)
        assert_true(count[s] > 800 && count[s] < 1200);
}

static void test_names(void **state)
{
    (void)state;
    char buf[16];
    cti_shard_name(0, buf, sizeof buf);
    assert_string_equal(buf, "shard-00");
    cti_shard_name(7, buf, sizeof buf);
    assert_string_equal(buf, "shard-07");
    cti_shard_name(123, buf, sizeof buf);
    assert_string_equal(buf, "shard-123");
}

static void test_layout_create_and_read(void **state)
{
    (void)state;
    char dir[512], stub[600], err[256];
    cti_shard_layout l;
    scratch_path(dir, sizeof dir, "sharded");
    assert_int_equal(cti_shard_layout_read(dir, &l, err, sizeof err), CTI_OK);
    assert_int_equal(l.kind, CTI_SHARD_NONE);
    assert_int_equal(cti_shard_layout_create(dir, 3, err, sizeof err), CTI_OK);
    snprintf(stub, sizeof stub, "%s/XAPIANDB", dir);
    assert_string_equal(read_file(stub),
                        "auto shard-00\nauto shard-01\nauto shard-02\n");
    assert_int_equal(cti_shard_layout_read(dir, &l, err, sizeof err), CTI_OK);
    assert_int_equal(l.kind, CTI_SHARD_DIR);
    assert_int_equal(l.n, 3);
    snprintf(stub, sizeof stub, "%s/shard-02", dir);
    assert_string_equal(l.t[2].path, stub);
    assert_null(l.t[2].host);
    cti_shard_layout_free(&l);
    /* A fresh sharded index opens as one empty database. */
    cti_db *db;
    uint32_t n = 99;
    assert_int_equal(cti_db_open(dir, CTI_DB_READ, &db), CTI_OK);
    assert_int_equal(cti_db_doccount(db, &n), CTI_OK);
    assert_int_equal(n, 0);
    cti_db_free(db);
    /* Not twice, and not with fewer than two shards. */
    assert_int_equal(cti_shard_layout_create(dir, 3, err, sizeof err),
                     CTI_EINVAL);
    assert_non_null(strstr(err, "already holds"));
    scratch_path(dir, sizeof dir, "one");
    assert_int_equal(cti_shard_layout_create(dir, 1, err, sizeof err),
                     CTI_EINVAL);
}

static void test_layout_single_and_stub_files(void **state)
{
    (void)state;
    char dir[512], file[600], err[256];
    cti_shard_layout l;
    /* A single cti index folder. */
    scratch_path(dir, sizeof dir, "single");
    assert_int_equal(mkdir(dir, 0777), 0);
    snprintf(file, sizeof file, "%s/XAPIANDB", dir);
    write_file(file, "glass db.3\nglass seg.4.0\n");
    assert_int_equal(cti_shard_layout_read(dir, &l, err, sizeof err), CTI_OK);
    assert_int_equal(l.kind, CTI_SHARD_SINGLE);
    assert_int_equal(l.n, 0);
    /* Mixing shards and other databases is refused. */
    write_file(file, "auto shard-00\nglass db.3\n");
    assert_int_equal(cti_shard_layout_read(dir, &l, err, sizeof err),
                     CTI_EINVAL);
    assert_non_null(strstr(err, "mixes"));
    /* A hand-written stub file: local and remote lines, comments. */
    scratch_path(file, sizeof file, "mixed.stub");
    write_file(file, "# three shards\nauto rel/shard\nglass /abs/db\n\n"
                     "remote 127.0.0.1:8100\nremote [::1]:8101\n");
    assert_int_equal(cti_shard_layout_read(file, &l, err, sizeof err), CTI_OK);
    assert_int_equal(l.kind, CTI_SHARD_FILE);
    assert_int_equal(l.n, 4);
    snprintf(dir, sizeof dir, "%s/rel/shard", scratch_dir);
    assert_string_equal(l.t[0].path, dir);
    assert_string_equal(l.t[1].path, "/abs/db");
    assert_string_equal(l.t[2].host, "127.0.0.1");
    assert_int_equal(l.t[2].port, 8100);
    assert_string_equal(l.t[2].label, "remote 127.0.0.1:8100");
    assert_string_equal(l.t[3].host, "::1");
    assert_int_equal(l.t[3].port, 8101);
    cti_shard_layout_free(&l);
    /* tcp:HOST:PORT names one remote database. */
    assert_int_equal(cti_shard_layout_read("tcp:localhost:9000", &l, err,
                                           sizeof err), CTI_OK);
    assert_int_equal(l.kind, CTI_SHARD_TCP);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.t[0].host, "localhost");
    assert_int_equal(l.t[0].port, 9000);
    cti_shard_layout_free(&l);
    assert_int_equal(cti_shard_layout_read("tcp:localhost", &l, err,
                                           sizeof err), CTI_EINVAL);
    assert_int_equal(cti_shard_layout_read("tcp:h:99999", &l, err,
                                           sizeof err), CTI_EINVAL);
    /* Bad lines name the file and line. */
    write_file(file, "auto a\nchert b\n");
    assert_int_equal(cti_shard_layout_read(file, &l, err, sizeof err),
                     CTI_EINVAL);
    assert_non_null(strstr(err, "mixed.stub:2"));
    write_file(file, "remote 127.0.0.1\n");
    assert_int_equal(cti_shard_layout_read(file, &l, err, sizeof err),
                     CTI_EINVAL);
    assert_non_null(strstr(err, "HOST:PORT"));
    write_file(file, "remote :xapian-progsrv db\n");
    assert_int_equal(cti_shard_layout_read(file, &l, err, sizeof err),
                     CTI_EINVAL);
    write_file(file, "# nothing\n");
    assert_int_equal(cti_shard_layout_read(file, &l, err, sizeof err),
                     CTI_EINVAL);
    assert_int_equal(l.n, 0);
}

/* Store a document with id term Q<id> and the words of 'text'. */
static void put(cti_db *db, const char *id, const char *text)
{
    cti_doc *doc;
    char word[64], idterm[128];
    uint32_t pos = 1;
    assert_int_equal(cti_doc_new(&doc), CTI_OK);
    for (const char *p = text; *p;) {
        size_t n = strcspn(p, " ");
        if (n && n < sizeof word) {
            memcpy(word, p, n);
            assert_int_equal(cti_doc_add_posting(doc, word, n, pos++, 1),
                             CTI_OK);
        }
        p += n;
        while (*p == ' ')
            p++;
    }
    assert_int_equal(cti_doc_set_data(doc, id, strlen(id)), CTI_OK);
    snprintf(idterm, sizeof idterm, "Q%s", id);
    assert_int_equal(cti_db_replace(db, idterm, strlen(idterm), doc, NULL),
                     CTI_OK);
    cti_doc_free(doc);
}

static const char *const docs[][2] = {
    {"a", "union strike union"},
    {"b", "union state"},
    {"c", "antitrust tech union"},
    {"d", "state of the union is strong"},
    {"e", "tech tech tech antitrust"},
    {"f", "strike"},
    {"g", "antitrust"},
    {"h", "union union union union tech"},
};
#define NDOCS (sizeof docs / sizeof docs[0])

/* The data (ids) of the hits of 'word' in db, in rank order, into out. */
static void ranked(cti_db *db, const char *word, char *out, size_t n)
{
    cti_xq *q;
    cti_enquire *e;
    cti_mset *m;
    assert_int_equal(cti_xq_term(word, strlen(word), 1, 0, &q), CTI_OK);
    assert_int_equal(cti_enquire_new(db, &e), CTI_OK);
    assert_int_equal(cti_enquire_set_query(e, q), CTI_OK);
    assert_int_equal(cti_enquire_run(e, 0, 50, 50, &m), CTI_OK);
    out[0] = '\0';
    for (size_t i = 0; i < cti_mset_size(m); i++) {
        size_t len;
        const char *d = cti_mset_data(m, i, &len);
        strncat(out, d, n - strlen(out) - 1);
    }
    cti_mset_free(m);
    cti_enquire_free(e);
    cti_xq_free(q);
}

/* Build docs into a sharded folder (via placement) and one single db. */
static void build_both(const char *dir, const char *single, unsigned n)
{
    char err[256], path[600];
    assert_int_equal(cti_shard_layout_create(dir, n, err, sizeof err), CTI_OK);
    cti_db *sh[8];
    for (unsigned i = 0; i < n; i++) {
        char name[16];
        cti_shard_name(i, name, sizeof name);
        /* Each shard is a cti index folder: a stub listing db.1. */
        snprintf(path, sizeof path, "%s/%s/db.1", dir, name);
        assert_int_equal(cti_db_open(path, CTI_DB_CREATE, &sh[i]), CTI_OK);
        snprintf(path, sizeof path, "%s/%s/XAPIANDB", dir, name);
        write_file(path, "glass db.1\n");
    }
    cti_db *one;
    assert_int_equal(cti_db_open(single, CTI_DB_CREATE, &one), CTI_OK);
    for (size_t i = 0; i < NDOCS; i++) {
        unsigned s = cti_shard_pick(docs[i][0], 1, n);
        put(sh[s], docs[i][0], docs[i][1]);
        put(one, docs[i][0], docs[i][1]);
    }
    char nstr[8];
    snprintf(nstr, sizeof nstr, "%u", n);
    assert_int_equal(cti_db_set_metadata(sh[0], CTI_META_SHARDS, nstr,
                                         strlen(nstr)), CTI_OK);
    for (unsigned i = 0; i < n; i++) {
        snprintf(nstr, sizeof nstr, "%u", i);
        assert_int_equal(cti_db_set_metadata(sh[i], CTI_META_SHARD, nstr,
                                             strlen(nstr)), CTI_OK);
    }
    for (unsigned i = 0; i < n; i++)
        assert_int_equal(cti_db_close(sh[i]), CTI_OK);
    assert_int_equal(cti_db_close(one), CTI_OK);
}

static void test_shards_rank_like_one(void **state)
{
    (void)state;
    char dir[512], single[512];
    scratch_path(dir, sizeof dir, "rank3");
    scratch_path(single, sizeof single, "rank1");
    build_both(dir, single, 3);
    cti_db *a, *b;
    assert_int_equal(cti_db_open(dir, CTI_DB_READ, &a), CTI_OK);
    assert_int_equal(cti_db_open(single, CTI_DB_READ, &b), CTI_OK);
    uint32_t na, nb;
    assert_int_equal(cti_db_doccount(a, &na), CTI_OK);
    assert_int_equal(cti_db_doccount(b, &nb), CTI_OK);
    assert_int_equal(na, NDOCS);
    assert_int_equal(nb, NDOCS);
    static const char *const words[] = {"union", "tech", "antitrust",
                                        "strike", "state"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        char ra[64], rb[64];
        ranked(a, words[i], ra, sizeof ra);
        ranked(b, words[i], rb, sizeof rb);
        assert_true(strlen(ra) > 0);
        assert_string_equal(ra, rb);
    }
    /* Metadata comes from the first shard. */
    char *v;
    assert_int_equal(cti_db_get_metadata(a, CTI_META_SHARDS, &v, NULL), CTI_OK);
    assert_string_equal(v, "3");
    free(v);
    cti_db_free(a);
    cti_db_free(b);
}

static void test_unshard(void **state)
{
    (void)state;
    char dir[512], single[512], err[256], path[600];
    scratch_path(dir, sizeof dir, "merge2");
    scratch_path(single, sizeof single, "merge1");
    build_both(dir, single, 2);
    assert_int_equal(cti_shard_unshard(dir, 2, "db.1", err, sizeof err),
                     CTI_OK);
    snprintf(path, sizeof path, "%s/XAPIANDB", dir);
    assert_string_equal(read_file(path), "glass db.1\n");
    snprintf(path, sizeof path, "%s/shard-00", dir);
    assert_int_equal(access(path, F_OK), -1);
    cti_shard_layout l;
    assert_int_equal(cti_shard_layout_read(dir, &l, err, sizeof err), CTI_OK);
    assert_int_equal(l.kind, CTI_SHARD_SINGLE);
    cti_db *a, *b;
    assert_int_equal(cti_db_open(dir, CTI_DB_READ, &a), CTI_OK);
    assert_int_equal(cti_db_open(single, CTI_DB_READ, &b), CTI_OK);
    uint32_t n;
    assert_int_equal(cti_db_doccount(a, &n), CTI_OK);
    assert_int_equal(n, NDOCS);
    char ra[64], rb[64];
    ranked(a, "union", ra, sizeof ra);
    ranked(b, "union", rb, sizeof rb);
    assert_string_equal(ra, rb);
    char *v;
    assert_int_equal(cti_db_get_metadata(a, CTI_META_SHARDS, &v, NULL), CTI_OK);
    assert_string_equal(v, "");
    free(v);
    assert_int_equal(cti_db_get_metadata(a, CTI_META_SHARD, &v, NULL), CTI_OK);
    assert_string_equal(v, "");
    free(v);
    cti_db_free(a);
    cti_db_free(b);
    /* A missing shard is an error that leaves the stub alone. */
    scratch_path(dir, sizeof dir, "merge-missing");
    assert_int_equal(cti_shard_layout_create(dir, 2, err, sizeof err), CTI_OK);
    snprintf(path, sizeof path, "%s/shard-01", dir);
    assert_int_equal(scratch_remove_tree(path), 0);
    assert_true(cti_shard_unshard(dir, 2, "db.1", err, sizeof err) != CTI_OK);
    assert_true(strlen(err) > 0);
    snprintf(path, sizeof path, "%s/XAPIANDB", dir);
    assert_string_equal(read_file(path), "auto shard-00\nauto shard-01\n");
}

/* A loopback port nobody listens on (bound, then released). */
static unsigned closed_port(void)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

/* A remote shard that is down: the error names it. */
static void test_remote_down_is_named(void **state)
{
    (void)state;
    char stub[512], text[64], want[64];
    unsigned port = closed_port();
    scratch_path(stub, sizeof stub, "down.stub");
    snprintf(text, sizeof text, "remote 127.0.0.1:%u\n", port);
    write_file(stub, text);
    snprintf(want, sizeof want, "127.0.0.1:%u", port);
    cti_db *db = NULL;
    assert_int_equal(cti_db_open(stub, CTI_DB_READ, &db), CTI_ENETWORK);
    assert_null(db);
    assert_non_null(strstr(cti_errmsg(), want));
    assert_int_equal(cti_db_open_remote("127.0.0.1", port, 2000, 1, &db),
                     CTI_ENETWORK);
    assert_non_null(strstr(cti_errmsg(), want));
}

/* Searching a stub with a shard that is down: an error, or partial results. */
static void test_open_search_partial(void **state)
{
    (void)state;
    char dir[512], single[512], stub[600], text[128], msg[512], want[64];
    unsigned port = closed_port(), skipped = 9;
    uint32_t n;
    cti_db *db;
    scratch_path(dir, sizeof dir, "part2");
    scratch_path(single, sizeof single, "part1");
    build_both(dir, single, 2);
    scratch_path(stub, sizeof stub, "part.stub");
    /* Paths relative to the stub's folder. */
    snprintf(text, sizeof text, "auto part2/shard-00\nremote 127.0.0.1:%u\n"
             "auto part2/shard-01\n", port);
    write_file(stub, text);
    snprintf(want, sizeof want, "127.0.0.1:%u", port);
    /* Strict: the error names the shard. */
    assert_int_equal(cti_shard_open_search(stub, 0, 2000, &db, &skipped, msg,
                                           sizeof msg), CTI_ENETWORK);
    assert_null(db);
    assert_int_equal(skipped, 0);
    assert_non_null(strstr(msg, want));
    /* Partial: the other shards, and a word on the missing one. */
    assert_int_equal(cti_shard_open_search(stub, 1, 2000, &db, &skipped, msg,
                                           sizeof msg), CTI_OK);
    assert_int_equal(skipped, 1);
    assert_non_null(strstr(msg, want));
    assert_int_equal(cti_db_doccount(db, &n), CTI_OK);
    assert_int_equal(n, NDOCS);
    char ra[64], rb[64];
    cti_db *one;
    assert_int_equal(cti_db_open(single, CTI_DB_READ, &one), CTI_OK);
    ranked(db, "union", ra, sizeof ra);
    ranked(one, "union", rb, sizeof rb);
    assert_string_equal(ra, rb);
    cti_db_free(one);
    cti_db_free(db);
    /* Nothing left: an error even when partial. */
    snprintf(text, sizeof text, "remote 127.0.0.1:%u\n", port);
    write_file(stub, text);
    assert_true(cti_shard_open_search(stub, 1, 2000, &db, &skipped, msg,
                                      sizeof msg) != CTI_OK);
    assert_null(db);
    assert_int_equal(skipped, 1);
    /* Without remote lines it is cti_db_open(). */
    assert_int_equal(cti_shard_open_search(dir, 0, 0, &db, &skipped, msg,
                                           sizeof msg), CTI_OK);
    assert_int_equal(cti_db_doccount(db, &n), CTI_OK);
    assert_int_equal(n, NDOCS);
    cti_db_free(db);
    assert_int_equal(cti_shard_open_search("tcp:nohost", 0, 0, &db, &skipped,
                                           msg, sizeof msg), CTI_EINVAL);
    assert_non_null(strstr(msg, "HOST:PORT"));
    scratch_path(stub, sizeof stub, "no-such-index");
    assert_int_equal(cti_shard_open_search(stub, 0, 0, &db, &skipped, msg,
                                           sizeof msg), CTI_ENOTFOUND);
    assert_true(strlen(msg) > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hash_is_fnv1a),
        cmocka_unit_test(test_pick_spreads),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_layout_create_and_read),
        cmocka_unit_test(test_layout_single_and_stub_files),
        cmocka_unit_test(test_shards_rank_like_one),
        cmocka_unit_test(test_unshard),
        cmocka_unit_test(test_remote_down_is_named),
        cmocka_unit_test(test_open_search_partial),
    };
    return cmocka_run_group_tests_name("shard", tests, setup, teardown);
}
