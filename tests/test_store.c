/*
 * test_store.c - the document data record: round trips and hostile input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cti_store.h"

static cti_record sample(void)
{
    cti_record r;
    memset(&r, 0, sizeof r);
    r.id = "/corpus/a.txt";          r.id_len = strlen(r.id);
    r.title = "Harris’s campaign";   r.title_len = strlen(r.title);
    r.date = "2024-07-15";           r.date_len = strlen(r.date);
    r.author = "Jane Doe";           r.author_len = strlen(r.author);
    r.source = "Example News";       r.source_len = strlen(r.source);
    r.url = "https://example.com/a"; r.url_len = strlen(r.url);
    r.body = "The vice president's team has launched a strategic outreach.";
    r.body_len = strlen(r.body);
    return r;
}

static void assert_field(const char *got, size_t gotlen, const char *want,
                         size_t wantlen)
{
    if (wantlen == 0) {
        assert_null(got);
        assert_int_equal(gotlen, 0);
        return;
    }
    assert_non_null(got);
    assert_int_equal(gotlen, wantlen);
    assert_memory_equal(got, want, wantlen);
    assert_int_equal(got[gotlen], '\0');
}

static void assert_same(const cti_record *a, const cti_record *b, int body)
{
    assert_field(b->id, b->id_len, a->id, a->id_len);
    assert_field(b->title, b->title_len, a->title, a->title_len);
    assert_field(b->date, b->date_len, a->date, a->date_len);
    assert_field(b->author, b->author_len, a->author, a->author_len);
    assert_field(b->source, b->source_len, a->source, a->source_len);
    assert_field(b->url, b->url_len, a->url, a->url_len);
    if (body) {
        assert_non_null(b->body);
        assert_int_equal(b->body_len, a->body_len);
        assert_memory_equal(b->body, a->body, a->body_len);
        assert_int_equal(b->body[b->body_len], '\0');
    } else {
        assert_null(b->body);
        assert_int_equal(b->body_len, 0);
    }
}

static void test_round_trip(void **state)
{
    (void)state;
    cti_record r = sample(), d;
    char *buf;
    size_t len;
    char err[128];
    assert_int_equal(cti_record_encode(&r, -1, &buf, &len), 0);
    assert_non_null(buf);
    assert_int_equal(cti_record_decode(buf, len, NULL, 1, &d, err, sizeof err), 0);
    assert_same(&r, &d, 1);
    assert_non_null(d.owned_);
    cti_record_release(&d);
    assert_null(d.owned_);
    free(buf);
}

static void test_without_body_skips_inflate(void **state)
{
    (void)state;
    cti_record r = sample(), d;
    char *buf;
    size_t len;
    char err[128];
    assert_int_equal(cti_record_encode(&r, 9, &buf, &len), 0);
    /* Break the compressed body: metadata must still decode when the
       body is not wanted (proof that inflate is not run), and decoding
       with the body must fail. */
    buf[len - 3] ^= 0x55;
    assert_int_equal(cti_record_decode(buf, len, NULL, 0, &d, err, sizeof err), 0);
    assert_same(&r, &d, 0);
    cti_record_release(&d);
    assert_int_equal(cti_record_decode(buf, len, NULL, 1, &d, err, sizeof err), CTI_ECORRUPT);
    assert_null(d.owned_);
    assert_null(d.id);
    free(buf);
}

static void test_empty_fields(void **state)
{
    (void)state;
    cti_record r, d;
    memset(&r, 0, sizeof r);
    r.id = "x";
    r.id_len = 1;
    r.title = "";       /* empty, not NULL: decodes as absent */
    r.title_len = 0;
    char *buf;
    size_t len;
    assert_int_equal(cti_record_encode(&r, -1, &buf, &len), 0);
    assert_int_equal(cti_record_decode(buf, len, NULL, 1, &d, NULL, 0), 0);
    assert_field(d.id, d.id_len, "x", 1);
    assert_null(d.title);
    assert_null(d.author);
    assert_non_null(d.body);       /* an empty body is an empty string */
    assert_int_equal(d.body_len, 0);
    assert_string_equal(d.body, "");
    cti_record_release(&d);
    free(buf);

    /* Everything absent. */
    memset(&r, 0, sizeof r);
    assert_int_equal(cti_record_encode(&r, -1, &buf, &len), 0);
    assert_int_equal(cti_record_decode(buf, len, NULL, 1, &d, NULL, 0), 0);
    assert_null(d.id);
    assert_int_equal(d.body_len, 0);
    cti_record_release(&d);
    free(buf);
}

static void test_fields_not_nul_terminated(void **state)
{
    (void)state;
    const char src[] = "titleXXXbodyYYY";
    cti_record r, d;
    memset(&r, 0, sizeof r);
    r.title = src;
    r.title_len = 5;
    r.body = src + 8;
    r.body_len = 4;
    char *buf;
    size_t len;
    assert_int_equal(cti_record_encode(&r, -1, &buf, &len), 0);
    assert_int_equal(cti_record_decode(buf, len, NULL, 1, &d, NULL, 0), 0);
    assert_string_equal(d.title, "title");
    assert_string_equal(d.body, "body");
    cti_record_release(&d);
    free(buf);
}

static void test_large_body_compresses(void **state)
{
    (void)state;
    size_t n = 8u << 20; /* 8 MiB of repetitive text */
    char *body = malloc(n);
    assert_non_null(body);
    const char *w = "the union is strong and the people are free ";
    size_t wl = strlen(w);
    for (size_t i = 0; i < n; i++)
        body[i] = w[i % wl];
    cti_record r = sample(), d;
    r.body = body;
    r.body_len = n;
    char *buf;
    size_t len;
    assert_int_equal(cti_record_encode(&r, 6, &buf, &len), 0);
    assert_true(len < n / 50);
    assert_int_equal(cti_record_decode(buf, len, NULL, 1, &d, NULL, 0), 0);
    assert_same(&r, &d, 1);
    cti_record_release(&d);
    free(buf);

    /* Incompressible bytes (including NUL) survive too. */
    uint32_t x = 12345;
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        body[i] = (char)(x >> 24);
    }
    assert_int_equal(cti_record_encode(&r, 1, &buf, &len), 0);
    assert_int_equal(cti_record_decode(buf, len, NULL, 1, &d, NULL, 0), 0);
    assert_same(&r, &d, 1);
    cti_record_release(&d);
    free(buf);
    free(body);
}

/* The set-aside ranges travel with the record, with or without the body. */
static void test_aside_ranges(void **state)
{
    (void)state;
    cti_record r = sample(), d;
    static const cti_record_range aside[] = {
        { 0, 4, 1 }, { 10, 20, 5 }, { 20, 60, 255 },
    };
    r.aside = aside;
    r.naside = 3;
    char *buf;
    size_t len;
    char err[128];
    assert_int_equal(cti_record_encode(&r, -1, &buf, &len), 0);
    assert_int_equal((unsigned char)buf[1], 2);
    for (int body = 0; body < 2; body++) {
        assert_int_equal(cti_record_decode(buf, len, NULL, body, &d, err, sizeof err), 0);
        assert_same(&r, &d, body);
        assert_int_equal(d.naside, 3);
        for (size_t i = 0; i < 3; i++) {
            assert_int_equal(d.aside[i].start, aside[i].start);
            assert_int_equal(d.aside[i].end, aside[i].end);
            assert_int_equal(d.aside[i].kind, aside[i].kind);
        }
        cti_record_release(&d);
    }
    /* Every prefix is refused (no over-read under ASan). */
    for (size_t cut = 0; cut < len; cut++) {
        char *copy = malloc(cut ? cut : 1);
        memcpy(copy, buf, cut);
        assert_int_equal(cti_record_decode(copy, cut, NULL, 0, &d, err, sizeof err),
                         CTI_ECORRUPT);
        free(copy);
    }
    free(buf);
    /* Without ranges the record stays version 1, and reads with none. */
    r.naside = 0;
    assert_int_equal(cti_record_encode(&r, -1, &buf, &len), 0);
    assert_int_equal((unsigned char)buf[1], 1);
    assert_int_equal(cti_record_decode(buf, len, NULL, 1, &d, err, sizeof err), 0);
    assert_null(d.aside);
    assert_int_equal(d.naside, 0);
    cti_record_release(&d);
    free(buf);
    /* Ranges out of order, past the body or of kind 0 are not encoded. */
    static const cti_record_range bad[][2] = {
        { { 10, 20, 1 }, { 5, 8, 1 } },
        { { 0, 4, 1 }, { 50, 61, 1 } },
        { { 0, 4, 0 }, { 5, 6, 1 } },
    };
    for (size_t k = 0; k < 3; k++) {
        r.aside = bad[k];
        r.naside = 2;
        assert_int_equal(cti_record_encode(&r, -1, &buf, &len), CTI_EINVAL);
        assert_null(buf);
    }
}

/* A range that reaches past the body is refused at decode. */
static void test_aside_outside_body(void **state)
{
    (void)state;
    cti_record r = sample(), d;
    cti_record_range one = { 0, 60, 1 };
    r.aside = &one;
    r.naside = 1;
    char *buf;
    size_t len;
    char err[128];
    assert_int_equal(cti_record_encode(&r, -1, &buf, &len), 0);
    /* The range's length byte follows the six fields and the count. */
    size_t at = 2;
    const size_t fl[6] = { r.id_len, r.title_len, r.date_len, r.author_len,
                           r.source_len, r.url_len };
    for (int i = 0; i < 6; i++)
        at += 1 + fl[i];
    assert_int_equal(buf[at], 1);      /* one range */
    assert_int_equal(buf[at + 1], 0);  /* gap 0 */
    assert_int_equal(buf[at + 2], 60); /* length */
    buf[at + 2] = 61;
    assert_int_equal(cti_record_decode(buf, len, NULL, 0, &d, err, sizeof err),
                     CTI_ECORRUPT);
    assert_non_null(strstr(err, "outside the body"));
    assert_null(d.owned_);
    free(buf);
}

static void test_bad_header(void **state)
{
    (void)state;
    cti_record d;
    char err[128];
    memset(&d, 0x5a, sizeof d);
    assert_int_equal(cti_record_decode("", 0, NULL, 1, &d, err, sizeof err), CTI_ECORRUPT);
    assert_null(d.owned_);
    assert_non_null(strstr(err, "truncated"));
    assert_int_equal(cti_record_decode(NULL, 0, NULL, 0, &d, err, sizeof err), CTI_ECORRUPT);
    assert_int_equal(cti_record_decode("hello world", 11, NULL, 0, &d, err,
                                       sizeof err), CTI_ECORRUPT);
    assert_non_null(strstr(err, "magic"));

    cti_record r = sample();
    char *buf;
    size_t len;
    assert_int_equal(cti_record_encode(&r, -1, &buf, &len), 0);
    buf[1] = 7;
    assert_int_equal(cti_record_decode(buf, len, NULL, 0, &d, err, sizeof err), CTI_ECORRUPT);
    assert_non_null(strstr(err, "unknown version 7"));
    /* A tiny err buffer is cut, not overrun. */
    char small[8];
    memset(small, 'z', sizeof small);
    assert_int_equal(cti_record_decode(buf, len, NULL, 0, &d, small, 4), CTI_ECORRUPT);
    assert_int_equal(small[3], '\0');
    assert_int_equal(small[4], 'z');
    free(buf);
}

/* Every prefix of a valid record is rejected, with and without the body,
   and each decode works on an exactly-sized heap copy so that ASan
   catches any over-read. */
static void test_every_truncation(void **state)
{
    (void)state;
    cti_record r = sample(), d;
    char *buf;
    size_t len;
    char err[128];
    assert_int_equal(cti_record_encode(&r, -1, &buf, &len), 0);
    for (size_t cut = 0; cut < len; cut++) {
        char *copy = malloc(cut ? cut : 1);
        memcpy(copy, buf, cut);
        for (int body = 0; body < 2; body++) {
            err[0] = '\0';
            assert_int_equal(cti_record_decode(copy, cut, NULL, body, &d, err,
                                               sizeof err), CTI_ECORRUPT);
            assert_true(strlen(err) > 0);
            assert_null(d.owned_);
        }
        free(copy);
    }
    /* Extra bytes at the end are refused as well. */
    char *longer = malloc(len + 1);
    memcpy(longer, buf, len);
    longer[len] = 0;
    assert_int_equal(cti_record_decode(longer, len + 1, NULL, 0, &d, err,
                                       sizeof err), CTI_ECORRUPT);
    free(longer);
    free(buf);
}

/* Flip bytes everywhere: decode must either fail cleanly or succeed with
   fields inside the record; never crash, over-read or leak. */
static void test_corrupt_bytes(void **state)
{
    (void)state;
    cti_record r = sample(), d;
    char *buf;
    size_t len;
    assert_int_equal(cti_record_encode(&r, -1, &buf, &len), 0);
    int failed = 0;
    for (size_t i = 0; i < len; i++) {
        for (int v = 0; v < 4; v++) {
            char *copy = malloc(len);
            memcpy(copy, buf, len);
            static const unsigned char vals[4] = { 0x00, 0xff, 0x80, 0x7f };
            if ((unsigned char)copy[i] == vals[v])
                copy[i] ^= 0x01;
            else
                copy[i] = (char)vals[v];
            if (cti_record_decode(copy, len, NULL, 1, &d, NULL, 0) == 0) {
                size_t sum = d.id_len + d.title_len + d.date_len +
                             d.author_len + d.source_len + d.url_len;
                assert_true(sum <= len);
                cti_record_release(&d);
            } else {
                failed++;
            }
            free(copy);
        }
    }
    assert_true(failed > 0);
    free(buf);
}

/* A header claiming a huge body must not make decode allocate it. */
static void test_huge_claimed_length(void **state)
{
    (void)state;
    unsigned char rec[64];
    size_t n = 0;
    rec[n++] = 0xC7;
    rec[n++] = 1;
    for (int i = 0; i < 6; i++)
        rec[n++] = 0;
    /* body length 2^62 */
    for (int i = 0; i < 8; i++)
        rec[n++] = 0x80;
    rec[n++] = 0x40;
    rec[n++] = 3; /* compressed length 3 */
    rec[n++] = 1; rec[n++] = 2; rec[n++] = 3;
    cti_record d;
    char err[128];
    assert_int_equal(cti_record_decode((char *)rec, n, NULL, 1, &d, err, sizeof err), CTI_ECORRUPT);
    assert_non_null(strstr(err, "impossible"));
    /* A varint longer than 64 bits. */
    n = 2;
    for (int i = 0; i < 11; i++)
        rec[n++] = 0xff;
    rec[n++] = 0x01;
    assert_int_equal(cti_record_decode((char *)rec, n, NULL, 0, &d, err, sizeof err), CTI_ECORRUPT);
    /* A field length past the end. */
    n = 2;
    rec[n++] = 100;
    rec[n++] = 'a';
    assert_int_equal(cti_record_decode((char *)rec, n, NULL, 0, &d, err, sizeof err), CTI_ECORRUPT);
    assert_non_null(strstr(err, "truncated"));
}

/* A stored length that disagrees with the stream is an error. */
static void test_length_mismatch(void **state)
{
    (void)state;
    cti_record r = sample(), d;
    char *buf;
    size_t len;
    char err[128];
    assert_int_equal(cti_record_encode(&r, -1, &buf, &len), 0);
    /* Find the body length varint: after the six fields. */
    size_t pos = 2;
    for (int i = 0; i < 6; i++) {
        size_t l = (unsigned char)buf[pos];
        assert_true(l < 128);
        pos += 1 + l;
    }
    assert_int_equal((unsigned char)buf[pos], r.body_len);
    buf[pos] = (char)(r.body_len - 1);
    assert_int_equal(cti_record_decode(buf, len, NULL, 1, &d, err, sizeof err), CTI_ECORRUPT);
    assert_non_null(strstr(err, "mismatch"));
    buf[pos] = (char)(r.body_len + 1);
    assert_int_equal(cti_record_decode(buf, len, NULL, 1, &d, err, sizeof err), CTI_ECORRUPT);
    assert_non_null(strstr(err, "mismatch"));
    free(buf);
}

/* Read a whole body through a reader 'cap' bytes at a time; -1 on error. */
static ptrdiff_t read_all(const char *data, size_t len, size_t cap, char *out,
                          size_t outcap, char *err, size_t errlen)
{
    cti_record d;
    cti_body_reader *b;
    if (cti_record_open_body(data, len, NULL, &d, &b, err, errlen))
        return -1;
    char *chunk = malloc(cap);
    size_t at = 0;
    ptrdiff_t n;
    while ((n = cti_body_read(b, chunk, cap, err, errlen)) > 0) {
        assert_true(at + (size_t)n <= outcap);
        memcpy(out + at, chunk, (size_t)n);
        at += (size_t)n;
    }
    free(chunk);
    cti_body_reader_free(b);
    cti_record_release(&d);
    return n < 0 ? -1 : (ptrdiff_t)at;
}

/* A body read piece by piece equals the whole body, at any piece size. */
static void test_body_reader(void **state)
{
    (void)state;
    size_t big = 300000;
    char *text = malloc(big), *got = malloc(big + 16);
    for (size_t i = 0; i < big; i++)
        text[i] = (char)("abcdefgh ij\n"[(i * 7 + i / 13) % 12]);
    cti_record r = sample(), d;
    r.body = text;
    r.body_len = big;
    char *buf, err[128];
    size_t len;
    assert_int_equal(cti_record_encode(&r, 6, &buf, &len), 0);
    static const size_t caps[] = { 1, 7, 4096, 65536, 1 << 20 };
    for (size_t c = 0; c < sizeof caps / sizeof caps[0]; c++) {
        assert_int_equal(read_all(buf, len, caps[c], got, big + 16, err,
                                  sizeof err), (ptrdiff_t)big);
        assert_memory_equal(got, text, big);
    }
    /* The fields come with the reader. */
    cti_body_reader *b;
    assert_int_equal(cti_record_open_body(buf, len, NULL, &d, &b, NULL, 0), 0);
    assert_same(&r, &d, 0);
    cti_body_reader_free(b);
    cti_record_release(&d);
    /* Truncated and corrupt streams fail while reading, with a reason. */
    assert_int_equal(read_all(buf, len - 3, 4096, got, big + 16, err,
                              sizeof err), -1);
    assert_non_null(strstr(err, "truncated"));
    free(buf);
    free(got);
    free(text);
}

/* Cut anywhere, a record either fails to open or fails while read. */
static void test_body_reader_truncated(void **state)
{
    (void)state;
    cti_record r = sample();
    char *buf, out[256], err[128];
    size_t len;
    assert_int_equal(cti_record_encode(&r, -1, &buf, &len), 0);
    for (size_t cut = 0; cut < len; cut++) {
        err[0] = '\0';
        assert_int_equal(read_all(buf, cut, 5, out, sizeof out, err,
                                  sizeof err), -1);
        assert_true(strlen(err) > 0);
    }
    assert_int_equal(read_all(buf, len, 5, out, sizeof out, err, sizeof err),
                     (ptrdiff_t)r.body_len);
    /* A body length one short of the stream's. */
    size_t pos = 2;
    for (int i = 0; i < 6; i++)
        pos += 1 + (unsigned char)buf[pos];
    buf[pos] = (char)(r.body_len - 1);
    assert_int_equal(read_all(buf, len, 5, out, sizeof out, err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "mismatch"));
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_without_body_skips_inflate),
        cmocka_unit_test(test_empty_fields),
        cmocka_unit_test(test_fields_not_nul_terminated),
        cmocka_unit_test(test_large_body_compresses),
        cmocka_unit_test(test_aside_ranges),
        cmocka_unit_test(test_aside_outside_body),
        cmocka_unit_test(test_bad_header),
        cmocka_unit_test(test_every_truncation),
        cmocka_unit_test(test_corrupt_bytes),
        cmocka_unit_test(test_huge_claimed_length),
        cmocka_unit_test(test_length_mismatch),
        cmocka_unit_test(test_body_reader),
        cmocka_unit_test(test_body_reader_truncated),
    };
    return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
