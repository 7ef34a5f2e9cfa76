/*
 * test_positions.c - the position blob: what is written reads back by
 * term, terms sharing a fingerprint are told apart, and damaged blobs are
 * refused with CTI_ECORRUPT, never read past their end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cti_positions.h"

/* The positions of 'term' in blob[0, len) into out (*n of them). */
static cti_status lookup(const unsigned char *blob, size_t len,
                         const char *term, uint32_t *out, size_t cap,
                         size_t *n)
{
    cti_posreader r;
    cti_posdeltas d;
    cti_status st = cti_posreader_init(&r, blob, len);
    if (st == CTI_OK)
        st = cti_posreader_find(&r, term, strlen(term),
                                cti_positions_fp(term, strlen(term)), &d);
    if (st == CTI_OK)
        st = cti_posreader_read(&d, out, cap, n);
    return st;
}

static void test_round_trip(void **state)
{
    (void)state;
    static const uint32_t a[] = { 1, 1000 }, c[] = { UINT32_MAX }, x[] = { 7 };
    cti_posterm t[] = {
        { "union", 5, a, 2 }, { "Sstate", 6, c, 1 }, { "XPof", 4, x, 1 },
    };
    cti_posblob b;
    uint32_t out[4];
    size_t n = 99;
    cti_posblob_init(&b);
    assert_int_equal(cti_posblob_build(&b, t, 3), CTI_OK);
    /* version, bits 0, one bucket size, three keyed entries. */
    assert_int_equal(b.len, 3 + (2 + 1 + 3) + (2 + 1 + 5) + (2 + 1 + 1));
    assert_int_equal(lookup(b.data, b.len, "union", out, 4, &n), CTI_OK);
    assert_int_equal(n, 2);
    assert_int_equal(out[0], 1);
    assert_int_equal(out[1], 1000);
    assert_int_equal(lookup(b.data, b.len, "Sstate", out, 4, &n), CTI_OK);
    assert_int_equal(n, 1);
    assert_int_equal(out[0], UINT32_MAX);
    assert_int_equal(lookup(b.data, b.len, "XPof", out, 4, &n), CTI_OK);
    assert_int_equal(out[0], 7);
    /* A term the blob lacks (its fingerprint is no other's here). */
    assert_int_equal(lookup(b.data, b.len, "nation", out, 4, &n), CTI_DONE);
    /* More positions than room for them. */
    assert_int_equal(lookup(b.data, b.len, "union", out, 1, &n), CTI_ECORRUPT);
    /* No terms at all. */
    assert_int_equal(cti_posblob_build(&b, NULL, 0), CTI_OK);
    assert_int_equal(lookup(b.data, b.len, "union", out, 4, &n), CTI_DONE);
    cti_posblob_free(&b);
    cti_posblob_free(NULL);
}

/* Many terms: buckets, and terms with one fingerprint spelled out. */
static void test_many_and_shared(void **state)
{
    (void)state;
    enum { N = 3000 };
    static char names[N][16];
    static uint32_t pos[N][2];
    static cti_posterm t[N];
    for (size_t i = 0; i < N; i++) {
        snprintf(names[i], sizeof names[i], "w%zu", i);
        pos[i][0] = (uint32_t)i + 1;
        pos[i][1] = (uint32_t)i + 5000;
        t[i] = (cti_posterm){ names[i], strlen(names[i]), pos[i], 2 };
    }
    /* With 3000 terms some share their 16-bit fingerprint. */
    size_t shared = 0;
    for (size_t i = 0; i < N && !shared; i++)
        for (size_t j = i + 1; j < N; j++)
            if (cti_positions_fp(names[i], strlen(names[i])) ==
                cti_positions_fp(names[j], strlen(names[j])))
                shared++;
    assert_true(shared > 0);
    cti_posblob b;
    cti_posblob_init(&b);
    assert_int_equal(cti_posblob_build(&b, t, N), CTI_OK);
    assert_int_equal(b.data[1], 8); /* 256 buckets */
    for (size_t i = 0; i < N; i++) {
        uint32_t out[2];
        size_t n = 0;
        assert_int_equal(lookup(b.data, b.len, names[i], out, 2, &n), CTI_OK);
        assert_int_equal(n, 2);
        assert_int_equal(out[0], i + 1);
        assert_int_equal(out[1], i + 5000);
    }
    cti_posblob_free(&b);
}

/* Positions must strictly increase, and a term must have some. */
static void test_refuses_bad_positions(void **state)
{
    (void)state;
    static const uint32_t same[] = { 5, 5 }, down[] = { 9, 3 };
    cti_posterm t = { "a", 1, same, 2 };
    cti_posblob b;
    cti_posblob_init(&b);
    assert_int_equal(cti_posblob_build(&b, &t, 1), CTI_EINVAL);
    t.pos = down;
    assert_int_equal(cti_posblob_build(&b, &t, 1), CTI_EINVAL);
    t.npos = 0;
    assert_int_equal(cti_posblob_build(&b, &t, 1), CTI_EINVAL);
    cti_posblob_free(&b);
}

/* Every cut of a good blob is refused; never a read past the end (ASan
   sees each cut in a buffer of its own size). */
static void test_truncated(void **state)
{
    (void)state;
    static const uint32_t a[] = { 1, 1000 }, c[] = { 3 };
    cti_posterm t[] = { { "union", 5, a, 2 }, { "state", 5, c, 1 } };
    cti_posblob b;
    cti_posblob_init(&b);
    assert_int_equal(cti_posblob_build(&b, t, 2), CTI_OK);
    for (size_t cut = 0; cut < b.len; cut++) {
        unsigned char *copy = malloc(cut ? cut : 1);
        uint32_t out[4];
        size_t n;
        assert_non_null(copy);
        memcpy(copy, b.data, cut);
        assert_int_equal(lookup(copy, cut, "union", out, 4, &n), CTI_ECORRUPT);
        free(copy);
    }
    cti_posblob_free(&b);
}

static void test_corrupt(void **state)
{
    (void)state;
    uint32_t out[8];
    size_t n;
    /* Another version; too many bucket bits; empty. */
    static const unsigned char v2[] = { 2, 0, 0 };
    assert_int_equal(lookup(v2, sizeof v2, "a", out, 8, &n), CTI_ECORRUPT);
    static const unsigned char bits[] = { 1, 9, 0 };
    assert_int_equal(lookup(bits, sizeof bits, "a", out, 8, &n), CTI_ECORRUPT);
    assert_int_equal(lookup(NULL, 0, "a", out, 8, &n), CTI_ECORRUPT);
    /* A bucket larger than the blob, and one smaller. */
    static const unsigned char big[] = { 1, 0, 9, 0, 0, 1, 1 };
    assert_int_equal(lookup(big, sizeof big, "a", out, 8, &n), CTI_ECORRUPT);
    static const unsigned char small[] = { 1, 0, 1, 0, 0, 1, 1 };
    assert_int_equal(lookup(small, sizeof small, "a", out, 8, &n), CTI_ECORRUPT);
    /* An entry whose length runs past its bucket. */
    uint16_t fp = cti_positions_fp("a", 1);
    unsigned char past[] = { 1, 0, 4, (unsigned char)fp, (unsigned char)(fp >> 8),
                             9, 1 };
    assert_int_equal(lookup(past, sizeof past, "a", out, 8, &n), CTI_ECORRUPT);
    /* Deltas: a varint past 32 bits, a zero delta, positions past 2^32-1. */
    unsigned char wide[] = { 1, 0, 8, (unsigned char)fp, (unsigned char)(fp >> 8),
                             5, 0xff, 0xff, 0xff, 0xff, 0x7f };
    assert_int_equal(lookup(wide, sizeof wide, "a", out, 8, &n), CTI_ECORRUPT);
    unsigned char zero[] = { 1, 0, 5, (unsigned char)fp, (unsigned char)(fp >> 8),
                             2, 5, 0 };
    assert_int_equal(lookup(zero, sizeof zero, "a", out, 8, &n), CTI_ECORRUPT);
    unsigned char over[] = { 1, 0, 9, (unsigned char)fp, (unsigned char)(fp >> 8),
                             6, 0xff, 0xff, 0xff, 0xff, 0x0f, 1 };
    assert_int_equal(lookup(over, sizeof over, "a", out, 8, &n), CTI_ECORRUPT);
    /* Random bytes after a good version: refused or read, never past
       the end. */
    unsigned char junk[64];
    srand(17);
    for (int round = 0; round < 5000; round++) {
        size_t len = 2 + (size_t)rand() % (sizeof junk - 2);
        junk[0] = CTI_POSITIONS_VERSION;
        junk[1] = (unsigned char)(rand() % 3);
        for (size_t i = 2; i < len; i++)
            junk[i] = (unsigned char)rand();
        unsigned char *copy = malloc(len);
        assert_non_null(copy);
        memcpy(copy, junk, len);
        cti_status st = lookup(copy, len, "a", out, 8, &n);
        assert_true(st == CTI_OK || st == CTI_DONE || st == CTI_ECORRUPT);
        free(copy);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_many_and_shared),
        cmocka_unit_test(test_refuses_bad_positions),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_corrupt),
    };
    return cmocka_run_group_tests_name("positions", tests, NULL, NULL);
}
