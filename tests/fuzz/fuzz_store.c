/*
 * fuzz_store.c - libFuzzer harness for the document record decoder.
 *
 * Any bytes read from an index must decode to a well-formed record or be
 * refused with a message: never a crash, an overread or a huge allocation.
 * The input is also cut into seven fields that must survive an
 * encode/decode round trip unchanged.
 */
#include <stdint.h>
#include <string.h>

#include "cti_store.h"
#include "fuzz_util.h"

static void store_check_field(const char *p, size_t n)
{
    if (p == NULL) {
        FUZZ_CHECK(n == 0);
        return;
    }
    FUZZ_CHECK(p[n] == '\0');
}

static void store_check_decoded(const cti_record *r, int want_body)
{
    store_check_field(r->id, r->id_len);
    store_check_field(r->title, r->title_len);
    store_check_field(r->date, r->date_len);
    store_check_field(r->author, r->author_len);
    store_check_field(r->source, r->source_len);
    store_check_field(r->url, r->url_len);
    if (!want_body)
        FUZZ_CHECK(r->body == NULL);
    else
        store_check_field(r->body, r->body_len);
}

static int store_same(const char *a, size_t an, const char *b, size_t bn)
{
    if (an != bn)
        return 0;
    return an == 0 || memcmp(a, b, an) == 0;
}

/* Decode arbitrary bytes, with and without the body. */
static void store_decode_any(const uint8_t *data, size_t size)
{
    for (int want = 0; want <= 1; want++) {
        cti_record r;
        char err[128];
        memset(&r, 0x5a, sizeof r);
        err[0] = '\0';
        if (cti_record_decode((const char *)data, size, NULL, want, &r, err,
                              sizeof err) == 0) {
            store_check_decoded(&r, want);
            cti_record_release(&r);
        } else {
            static const cti_record zero;
            FUZZ_CHECK(memcmp(&r, &zero, sizeof r) == 0);
            FUZZ_CHECK(err[0] != '\0');
            FUZZ_CHECK(memchr(err, '\0', sizeof err) != NULL);
        }
    }
}

/* Split the input at 0xFF bytes into up to seven fields; round trip them. */
static void store_round_trip(const uint8_t *data, size_t size)
{
    const char *f[7] = {0};
    size_t n[7] = {0};
    size_t k = 0, start = 0;
    for (size_t i = 0; i <= size && k < 7; i++) {
        if (i == size || data[i] == 0xFF) {
            f[k] = (const char *)data + start;
            n[k] = i - start;
            k++;
            start = i + 1;
        }
    }
    cti_record in;
    memset(&in, 0, sizeof in);
    in.id = n[0] ? f[0] : NULL;     in.id_len = n[0];
    in.title = n[1] ? f[1] : NULL;  in.title_len = n[1];
    in.date = n[2] ? f[2] : NULL;   in.date_len = n[2];
    in.author = n[3] ? f[3] : NULL; in.author_len = n[3];
    in.source = n[4] ? f[4] : NULL; in.source_len = n[4];
    in.url = n[5] ? f[5] : NULL;    in.url_len = n[5];
    in.body = n[6] ? f[6] : NULL;   in.body_len = n[6];

    char *buf = NULL;
    size_t len = 0;
    int level = size ? (int)(data[0] % 11) - 1 : -1;
    if (cti_record_encode(&in, level, &buf, &len) != 0)
        return; /* no memory */
    for (int want = 0; want <= 1; want++) {
        cti_record out;
        char err[128];
        FUZZ_CHECK(cti_record_decode(buf, len, NULL, want, &out, err, sizeof err) == 0);
        store_check_decoded(&out, want);
        FUZZ_CHECK(store_same(out.id, out.id_len, in.id, in.id_len));
        FUZZ_CHECK(store_same(out.title, out.title_len, in.title, in.title_len));
        FUZZ_CHECK(store_same(out.date, out.date_len, in.date, in.date_len));
        FUZZ_CHECK(store_same(out.author, out.author_len, in.author, in.author_len));
        FUZZ_CHECK(store_same(out.source, out.source_len, in.source, in.source_len));
        FUZZ_CHECK(store_same(out.url, out.url_len, in.url, in.url_len));
        if (want)
            FUZZ_CHECK(store_same(out.body, out.body_len, in.body, in.body_len));
        cti_record_release(&out);
    }
    /* Every strict prefix of a record is truncated: refused, never read past. */
    if (len > 0) {
        cti_record out;
        size_t cut = size ? data[size - 1] % len : 0;
        FUZZ_CHECK(cti_record_decode(buf, cut, NULL, 1, &out, NULL, 0) != 0);
    }
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    store_decode_any(data, size);
    store_round_trip(data, size);
    return 0;
}
