/*
 * test_text.c - stored texts: compressed alone until a dictionary is
 * trained from them, smaller with it, read back through the index's
 * metadata, shared by threads (writing and reading), and damage said
 * out loud.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <cmocka.h>

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cti_dictfile.h"
#include "cti_store.h"
#include "cti_text.h"
#include "lib/scratch.h"

/* Words of made-up news: texts share phrases, as a site's articles do. */
static const char *const words[] = {
    "the", "senator", "said", "on", "Tuesday", "that", "campaign",
    "officials", "in", "Pennsylvania", "would", "announce", "a", "new",
    "plan", "for", "rural", "voters", "according", "to", "people",
    "familiar", "with", "matter", "who", "spoke", "condition", "of",
    "anonymity", "because", "they", "were", "not", "authorized", "discuss",
    "it", "publicly", "economy", "inflation", "tariffs", "border", "courts",
    "governor", "rally", "Thursday", "Wisconsin", "Michigan", "debate",
};
#define NWORDS (sizeof words / sizeof *words)

/* Text number 'n' (deterministic, 1.5 to 2.5 KB) into buf; its length. */
static size_t make_text(unsigned n, char *buf, size_t cap)
{
    uint32_t x = n * 2654435761u + 12345u;
    size_t len = 0, want = 1536 + n % 1024;
    len += (size_t)snprintf(buf, cap, "Story %u. Subscribe to our newsletter. ",
                            n);
    while (len < want && len + 32 < cap) {
        x = x * 1103515245u + 12345u;
        const char *w = words[(x >> 16) % NWORDS];
        size_t wl = strlen(w);
        memcpy(buf + len, w, wl);
        len += wl;
        buf[len++] = (x >> 8) % 11 == 0 ? '.' : ' ';
        if (buf[len - 1] == '.')
            buf[len++] = ' ';
    }
    buf[len] = '\0';
    return len;
}

/* Pack text 'n' with writer 'w': its frame (free()). */
static char *pack(cti_text_writer *w, unsigned n, size_t *flen)
{
    char t[4096];
    size_t len = make_text(n, t, sizeof t);
    char *f = NULL;
    assert_int_equal(cti_text_pack(w, t, len, &f, flen), CTI_OK);
    assert_non_null(f);
    return f;
}

/* Check that frame f unpacks through r to text 'n'. */
static void assert_unpacks(cti_text_reader *r, const char *f, size_t flen,
                           unsigned n)
{
    char want[4096], got[4096], err[200] = "";
    size_t len = make_text(n, want, sizeof want);
    assert_int_equal(cti_text_unpack(r, f, flen, got, len, err, sizeof err),
                     CTI_OK);
    assert_memory_equal(got, want, len);
}

/* Pack texts from 'from' until the packer has trained its dictionary. */
static unsigned train_up(cti_text_packer *p, cti_text_writer *w,
                         unsigned from)
{
    unsigned n = from;
    while (!cti_text_packer_dict_id(p)) {
        size_t flen;
        free(pack(w, n++, &flen));
        assert_true(n - from < 2000); /* 1 MB of samples comes first */
    }
    return n;
}

/* Texts are readable alone before the dictionary, which then makes them
   smaller; a reader finds it in the index's metadata. */
static void test_trains_and_shrinks(void **state)
{
    (void)state;
    cti_text_packer *p, *alone;
    cti_text_writer *w, *wa;
    cti_text_reader *r;
    cti_db *db;
    char err[200] = "";
    assert_int_equal(cti_text_packer_new(NULL, 0, &p), CTI_OK);
    assert_int_equal(cti_text_writer_new(p, &w), CTI_OK);
    size_t f0len;
    char *f0 = pack(w, 0, &f0len);
    assert_int_equal(cti_text_packer_dict_id(p), 0);
    /* Without a dictionary, no index is needed to read it. */
    assert_int_equal(cti_text_reader_new(NULL, &r), CTI_OK);
    assert_unpacks(r, f0, f0len, 0);
    cti_text_reader_free(r);

    unsigned n = train_up(p, w, 1);
    /* CTI_TEXT_TRAIN_BYTES of 1.5 to 2.5 KB texts, not fewer */
    assert_true(n > CTI_TEXT_TRAIN_BYTES / 2560);
    /* The next text, with the dictionary and without. */
    size_t flen, alen, total = 0, total_alone = 0;
    assert_int_equal(cti_text_packer_new(NULL, 0, &alone), CTI_OK);
    assert_int_equal(cti_text_writer_new(alone, &wa), CTI_OK);
    char *f = NULL;
    for (unsigned i = n; i < n + 20; i++) {
        free(f);
        f = pack(w, i, &flen);
        char *a = pack(wa, i, &alen);
        total += flen;
        total_alone += alen;
        free(a);
    }
    assert_true(total * 10 < total_alone * 8);

    assert_int_equal(scratch_make("text"), 0);
    char path[300];
    scratch_path(path, sizeof path, "db");
    assert_int_equal(cti_db_open(path, CTI_DB_CREATE_OR_OVERWRITE, &db),
                     CTI_OK);
    /* Not stored yet: the reader says which dictionary is missing. */
    assert_int_equal(cti_text_reader_new(db, &r), CTI_OK);
    char got[4096], key[CTI_TEXT_KEY_MAX], id[9];
    const char *bytes;
    size_t blen;
    assert_int_equal(cti_text_packer_dict(p, key, id, &bytes, &blen), 1);
    size_t len = make_text(n + 19, got, sizeof got);
    assert_int_equal(cti_text_unpack(r, f, flen, got, len, err, sizeof err),
                     CTI_ECORRUPT);
    assert_non_null(strstr(err, "dictionary"));
    assert_non_null(strstr(err, id));
    cti_text_reader_free(r);
    assert_int_equal(cti_text_packer_store(p, db), CTI_OK);
    assert_int_equal(cti_db_commit(db), CTI_OK);
    assert_int_equal(cti_text_reader_new(db, &r), CTI_OK);
    assert_unpacks(r, f, flen, n + 19);
    assert_unpacks(r, f0, f0len, 0); /* and the ones before it */

    /* A later run takes the index's dictionary up: the same one. */
    char *cur = NULL;
    assert_int_equal(cti_db_get_metadata(db, CTI_META_TEXT_DICT, &cur, NULL),
                     CTI_OK);
    assert_string_equal(cur, id);
    cti_text_packer *again;
    cti_text_writer *w2;
    assert_int_equal(cti_text_packer_open(db, &again, err, sizeof err), CTI_OK);
    assert_int_equal(cti_text_packer_dict_id(again),
                     cti_text_packer_dict_id(p));
    assert_int_equal(cti_text_writer_new(again, &w2), CTI_OK);
    char *f2 = pack(w2, 7, &flen);
    assert_unpacks(r, f2, flen, 7);
    /* Bytes that are not a dictionary are refused, saying which. */
    cti_text_packer *bad = NULL;
    assert_int_equal(cti_db_set_metadata(db, key, "not a dictionary", 16),
                     CTI_OK);
    err[0] = '\0';
    assert_int_equal(cti_text_packer_open(db, &bad, err, sizeof err),
                     CTI_ECORRUPT);
    assert_null(bad);
    assert_non_null(strstr(err, "damaged"));
    assert_non_null(strstr(err, key));

    free(f2);
    free(cur);
    cti_text_writer_free(w2);
    cti_text_packer_free(again);
    cti_text_reader_free(r);
    cti_db_close(db);
    scratch_remove();
    free(f);
    free(f0);
    cti_text_writer_free(wa);
    cti_text_packer_free(alone);
    cti_text_writer_free(w);
    cti_text_packer_free(p);
}

/* A damaged frame, one of another length, or no frame at all: refused
   with a reason, never read wrong. */
static void test_damage(void **state)
{
    (void)state;
    cti_text_packer *p;
    cti_text_writer *w;
    cti_text_reader *r;
    char got[4096], err[200];
    size_t flen, len = make_text(3, got, sizeof got);
    assert_int_equal(cti_text_packer_new(NULL, 0, &p), CTI_OK);
    assert_int_equal(cti_text_writer_new(p, &w), CTI_OK);
    assert_int_equal(cti_text_reader_new(NULL, &r), CTI_OK);
    char *f = pack(w, 3, &flen);
    err[0] = '\0';
    assert_int_equal(cti_text_unpack(r, f, flen, got, len - 1, err, sizeof err),
                     CTI_ECORRUPT);
    assert_non_null(strstr(err, "length"));
    f[flen / 2] ^= 0x40;
    err[0] = '\0';
    assert_int_equal(cti_text_unpack(r, f, flen, got, len, err, sizeof err),
                     CTI_ECORRUPT);
    assert_non_null(strstr(err, "bad stored text"));
    err[0] = '\0';
    assert_int_equal(cti_text_unpack(r, "plain words", 11, got, 11, err,
                                     sizeof err), CTI_ECORRUPT);
    assert_non_null(strstr(err, "not a zstd frame"));
    free(f);
    cti_text_reader_free(r);
    cti_text_writer_free(w);
    cti_text_packer_free(p);
}

/* A record keeps its text apart: decoded with it, streamed piece by
   piece, and without it says the text is missing. */
static void test_record_apart(void **state)
{
    (void)state;
    cti_text_packer *p;
    cti_text_writer *w;
    cti_text_reader *r;
    char text[4096], err[200];
    size_t len = make_text(11, text, sizeof text), flen, dlen;
    cti_record rec, d;
    memset(&rec, 0, sizeof rec);
    rec.id = "a";
    rec.id_len = 1;
    rec.title = "Title";
    rec.title_len = 5;
    rec.body = text;
    rec.body_len = len;
    cti_record_range range = { 10, 20, 2 };
    rec.aside = &range;
    rec.naside = 1;
    assert_int_equal(cti_text_packer_new(NULL, 0, &p), CTI_OK);
    assert_int_equal(cti_text_writer_new(p, &w), CTI_OK);
    assert_int_equal(cti_text_reader_new(NULL, &r), CTI_OK);
    char *f = pack(w, 11, &flen), *data;
    assert_int_equal(cti_record_encode_apart(&rec, &data, &dlen), CTI_OK);
    assert_true(dlen < 40); /* the fields and a length, not the text */
    cti_record_text t = { f, flen, r };
    assert_int_equal(cti_record_decode(data, dlen, &t, 1, &d, err, sizeof err),
                     CTI_OK);
    assert_string_equal(d.title, "Title");
    assert_int_equal(d.body_len, len);
    assert_memory_equal(d.body, text, len);
    assert_int_equal(d.naside, 1);
    assert_int_equal(d.aside[0].end, 20);
    cti_record_release(&d);
    /* Streamed 100 bytes at a time. */
    cti_body_reader *br;
    assert_int_equal(cti_record_open_body(data, dlen, &t, &d, &br, err,
                                          sizeof err), 0);
    char got[4096];
    size_t at = 0;
    ptrdiff_t k;
    while ((k = cti_body_read(br, got + at, 100, err, sizeof err)) > 0)
        at += (size_t)k;
    assert_int_equal(k, 0);
    assert_int_equal(at, len);
    assert_memory_equal(got, text, len);
    cti_body_reader_free(br);
    cti_record_release(&d);
    /* Fields alone need no text; the body does. */
    assert_int_equal(cti_record_decode(data, dlen, NULL, 0, &d, err, sizeof err),
                     CTI_OK);
    cti_record_release(&d);
    err[0] = '\0';
    assert_int_equal(cti_record_decode(data, dlen, NULL, 1, &d, err, sizeof err),
                     CTI_ECORRUPT);
    assert_non_null(strstr(err, "missing"));
    /* A byte after the record, or a place of the body not known. */
    char *more = malloc(dlen + 1);
    memcpy(more, data, dlen);
    more[dlen] = 0;
    assert_int_equal(cti_record_decode(more, dlen + 1, &t, 1, &d, err,
                                       sizeof err), CTI_ECORRUPT);
    assert_non_null(strstr(err, "trailing"));
    more[dlen - 1] = 9;
    assert_int_equal(cti_record_decode(more, dlen, &t, 1, &d, err, sizeof err),
                     CTI_ECORRUPT);
    assert_non_null(strstr(err, "unknown place of the body 9"));
    free(more);
    free(data);
    free(f);
    cti_text_reader_free(r);
    cti_text_writer_free(w);
    cti_text_packer_free(p);
}

typedef struct job {
    cti_text_packer *p;
    unsigned from, n;
    char **frames;
    size_t *lens;
} job;

static void *pack_many(void *arg)
{
    job *j = arg;
    cti_text_writer *w;
    if (cti_text_writer_new(j->p, &w) != CTI_OK)
        return NULL;
    for (unsigned i = 0; i < j->n; i++) {
        char t[4096];
        size_t len = make_text(j->from + i, t, sizeof t);
        if (cti_text_pack(w, t, len, &j->frames[i], &j->lens[i]) != CTI_OK)
            j->frames[i] = NULL;
    }
    cti_text_writer_free(w);
    return NULL;
}

/* Texts of both jobs read back through one reader shared by threads. */
typedef struct unjob {
    cti_text_reader *r;
    const job *jobs;
    unsigned wrong;       /* texts that did not read back */
} unjob;

static void *unpack_all(void *arg)
{
    unjob *u = arg;
    for (int t = 0; t < 2; t++)
        for (unsigned i = 0; i < u->jobs[t].n; i++) {
            char want[4096], got[4096], err[200];
            size_t len = make_text(u->jobs[t].from + i, want, sizeof want);
            if (!u->jobs[t].frames[i] ||
                cti_text_unpack(u->r, u->jobs[t].frames[i], u->jobs[t].lens[i],
                                got, len, err, sizeof err) != CTI_OK ||
                memcmp(got, want, len) != 0)
                u->wrong++;
        }
    return NULL;
}

typedef struct prejob {
    cti_text_reader *r;
    cti_db *from;
    cti_status st;
} prejob;

static void *preload_on_thread(void *arg)
{
    prejob *j = arg;
    j->st = cti_text_reader_preload(j->r, j->from);
    return NULL;
}

/* Two threads share a packer while it trains, then three share the
   reader, loading its dictionary and decompressing at the same time
   while a fourth preloads it: every text reads back. */
static void test_threads(void **state)
{
    (void)state;
    enum { N = 400 };
    cti_text_packer *p;
    assert_int_equal(cti_text_packer_new(NULL, 0, &p), CTI_OK);
    job jobs[2];
    pthread_t th[2];
    for (int t = 0; t < 2; t++) {
        jobs[t] = (job){ p, (unsigned)t * N, N, calloc(N, sizeof(char *)),
                         calloc(N, sizeof(size_t)) };
        assert_int_equal(pthread_create(&th[t], NULL, pack_many, &jobs[t]), 0);
    }
    for (int t = 0; t < 2; t++)
        pthread_join(th[t], NULL);
    assert_int_not_equal(cti_text_packer_dict_id(p), 0);
    cti_db *db;
    cti_text_reader *r;
    assert_int_equal(scratch_make("text"), 0);
    char path[300];
    scratch_path(path, sizeof path, "db");
    assert_int_equal(cti_db_open(path, CTI_DB_CREATE_OR_OVERWRITE, &db),
                     CTI_OK);
    assert_int_equal(cti_text_packer_store(p, db), CTI_OK);
    assert_int_equal(cti_db_commit(db), CTI_OK);
    assert_int_equal(cti_text_reader_new(db, &r), CTI_OK);
    /* and a fourth preloads it through a handle of its own meanwhile */
    cti_db *db2;
    assert_int_equal(cti_db_open(path, CTI_DB_READ, &db2), CTI_OK);
    prejob pj = { r, db2, CTI_EIO };
    pthread_t pt;
    assert_int_equal(pthread_create(&pt, NULL, preload_on_thread, &pj), 0);
    unjob un[3];
    pthread_t ut[3];
    for (int t = 0; t < 3; t++) {
        un[t] = (unjob){ r, jobs, 0 };
        assert_int_equal(pthread_create(&ut[t], NULL, unpack_all, &un[t]), 0);
    }
    for (int t = 0; t < 3; t++) {
        pthread_join(ut[t], NULL);
        assert_int_equal(un[t].wrong, 0);
    }
    pthread_join(pt, NULL);
    assert_int_equal(pj.st, CTI_OK);
    cti_db_close(db2);
    for (int t = 0; t < 2; t++) {
        for (unsigned i = 0; i < N; i++) {
            assert_non_null(jobs[t].frames[i]);
            assert_unpacks(r, jobs[t].frames[i], jobs[t].lens[i],
                           jobs[t].from + i);
            free(jobs[t].frames[i]);
        }
        free(jobs[t].frames);
        free(jobs[t].lens);
    }
    cti_text_reader_free(r);
    cti_db_close(db);
    scratch_remove();
    cti_text_packer_free(p);
}

/* A database at scratch 'name' whose metadata holds p's dictionary
   (stored: 1), or names it with 'bytes' in its place, or holds none. */
static cti_db *dict_db(const char *name, cti_text_packer *p, int stored,
                       const char *bytes)
{
    char path[300], key[CTI_TEXT_KEY_MAX], id[9];
    const char *b;
    size_t blen;
    cti_db *db;
    scratch_path(path, sizeof path, name);
    assert_int_equal(cti_db_open(path, CTI_DB_CREATE_OR_OVERWRITE, &db), CTI_OK);
    assert_int_equal(cti_text_packer_dict(p, key, id, &b, &blen), 1);
    if (stored)
        assert_int_equal(cti_text_packer_store(p, db), CTI_OK);
    else if (bytes) {
        assert_int_equal(cti_db_set_metadata(db, CTI_META_TEXT_DICT, id, 8), CTI_OK);
        assert_int_equal(cti_db_set_metadata(db, key, bytes, strlen(bytes)), CTI_OK);
    }
    assert_int_equal(cti_db_commit(db), CTI_OK);
    return db;
}

/* The preload loads the dictionary in use through another handle, on
   another thread: a reader whose own index lacks it then reads the
   texts.  One that names none loads nothing; a damaged one is refused,
   and the text still says so when read. */
static void test_preload(void **state)
{
    (void)state;
    cti_text_packer *p;
    cti_text_writer *w;
    assert_int_equal(cti_text_packer_new(NULL, 0, &p), CTI_OK);
    assert_int_equal(cti_text_writer_new(p, &w), CTI_OK);
    unsigned n = train_up(p, w, 0);
    size_t flen;
    char *f = pack(w, n, &flen);
    assert_int_equal(scratch_make("text"), 0);
    cti_db *with = dict_db("with", p, 1, NULL);
    cti_db *none = dict_db("none", p, 0, NULL);
    cti_db *bad = dict_db("bad", p, 0, "not a dictionary");
    char got[4096], err[200] = "";
    size_t len = make_text(n, got, sizeof got);

    /* Its own index lacks the dictionary: only the preload brings it. */
    cti_text_reader *r;
    assert_int_equal(cti_text_reader_new(none, &r), CTI_OK);
    prejob j = { r, with, CTI_EIO };
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, preload_on_thread, &j), 0);
    pthread_join(t, NULL);
    assert_int_equal(j.st, CTI_OK);
    assert_unpacks(r, f, flen, n);
    assert_int_equal(cti_text_reader_preload(r, with), CTI_OK); /* loaded */
    assert_unpacks(r, f, flen, n);
    cti_text_reader_free(r);

    /* An index naming none: nothing loaded, the text says what is missing. */
    assert_int_equal(cti_text_reader_new(none, &r), CTI_OK);
    assert_int_equal(cti_text_reader_preload(r, none), CTI_OK);
    assert_int_equal(cti_text_unpack(r, f, flen, got, len, err, sizeof err),
                     CTI_ECORRUPT);
    assert_non_null(strstr(err, "missing"));
    cti_text_reader_free(r);

    /* A damaged one: refused by the preload, then named by the text. */
    assert_int_equal(cti_text_reader_new(bad, &r), CTI_OK);
    assert_int_equal(cti_text_reader_preload(r, bad), CTI_ECORRUPT);
    err[0] = '\0';
    assert_int_equal(cti_text_unpack(r, f, flen, got, len, err, sizeof err),
                     CTI_ECORRUPT);
    assert_non_null(strstr(err, "damaged"));
    cti_text_reader_free(r);

    cti_db_close(with);
    cti_db_close(none);
    cti_db_close(bad);
    scratch_remove();
    free(f);
    cti_text_writer_free(w);
    cti_text_packer_free(p);
}

/* The dictionary's file: written, mapped back, written again only when
   it differs, and a file that cannot be a dictionary of cti's (empty,
   too large) not mapped. */
static void test_dictionary_file(void **state)
{
    (void)state;
    const char *bytes;
    size_t len;
    char path[300];
    assert_int_equal(scratch_make("dictfile"), 0);
    assert_int_equal(cti_dictfile_save(scratch_dir, 0x1234abcdu, "abcdef", 6),
                     CTI_OK);
    scratch_path(path, sizeof path, CTI_DICTFILE_PREFIX "1234abcd");
    assert_int_equal(access(path, R_OK), 0);
    assert_int_equal(cti_dictfile_map(scratch_dir, 0x1234abcdu, &bytes, &len),
                     CTI_OK);
    assert_int_equal(len, 6);
    assert_memory_equal(bytes, "abcdef", 6);
    cti_dictfile_unmap(bytes, len);
    /* The same bytes: the file is left as it is; others (a damaged
       file): written again. */
    struct stat before, after;
    assert_int_equal(stat(path, &before), 0);
    assert_int_equal(cti_dictfile_save(scratch_dir, 0x1234abcdu, "abcdef", 6),
                     CTI_OK);
    assert_int_equal(stat(path, &after), 0);
    assert_int_equal(before.st_ino, after.st_ino);
    assert_int_equal(cti_dictfile_save(scratch_dir, 0x1234abcdu, "abcdeX", 6),
                     CTI_OK);
    assert_int_equal(cti_dictfile_map(scratch_dir, 0x1234abcdu, &bytes, &len),
                     CTI_OK);
    assert_memory_equal(bytes, "abcdeX", 6);
    cti_dictfile_unmap(bytes, len);
    /* None, empty, too large. */
    assert_int_equal(cti_dictfile_map(scratch_dir, 7, &bytes, &len), CTI_ENOTFOUND);
    assert_null(bytes);
    scratch_path(path, sizeof path, CTI_DICTFILE_PREFIX "00000008");
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fclose(f);
    assert_int_equal(cti_dictfile_map(scratch_dir, 8, &bytes, &len), CTI_ENOTFOUND);
    assert_int_equal(truncate(path, CTI_DICTFILE_MAX + 1), 0);
    assert_int_equal(cti_dictfile_map(scratch_dir, 8, &bytes, &len), CTI_ENOTFOUND);
    /* A folder that is not there cannot take it. */
    scratch_path(path, sizeof path, "gone");
    assert_int_equal(cti_dictfile_save(path, 9, "x", 1), CTI_EIO);
    scratch_remove();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trains_and_shrinks),
        cmocka_unit_test(test_damage),
        cmocka_unit_test(test_record_apart),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_preload),
        cmocka_unit_test(test_dictionary_file),
    };
    return cmocka_run_group_tests_name("text", tests, NULL, NULL);
}
