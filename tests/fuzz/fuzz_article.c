/*
 * fuzz_article.c - libFuzzer harness for the article readers: text files
 * with front matter, and JSON lines.
 *
 * The first input byte picks the reader (even: text, odd: JSON line); the
 * rest is the file or line.  Whatever the bytes, a parsed article holds
 * only valid, NUL-free UTF-8 strings, its body_len is right, its hash is
 * the hash of its fields, and parsing is deterministic.  A refused JSON
 * line has a message.
 */
#include <stdint.h>
#include <string.h>

#include "cti_article.h"
#include "cti_date.h"
#include "fuzz_util.h"

static void article_check_str(const char *s)
{
    if (!s)
        return;
    size_t n = strlen(s);
    FUZZ_CHECK(fuzz_utf8_valid(s, n));
}

static void article_check(const cti_article *a)
{
    article_check_str(a->id);
    article_check_str(a->title);
    article_check_str(a->date);
    article_check_str(a->author);
    article_check_str(a->source);
    article_check_str(a->url);
    FUZZ_CHECK(a->body != NULL);
    FUZZ_CHECK(strlen(a->body) == a->body_len);
    FUZZ_CHECK(fuzz_utf8_valid(a->body, a->body_len));
    FUZZ_CHECK(a->hash == cti_article_hash(a));
    if (a->date) {
        char norm[9];
        if (cti_date_normalize(a->date, norm) == 0) {
            FUZZ_CHECK(norm[8] == '\0');
            for (int i = 0; i < 8; i++)
                FUZZ_CHECK(norm[i] >= '0' && norm[i] <= '9');
        }
    }
}

static int article_str_eq(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    int json = data[0] & 1;
    const char *in = (const char *)data + 1;
    size_t n = size - 1;
    cti_article a, b;
    char err[256];

    if (json) {
        err[0] = 'x';
        if (cti_article_parse_json(in, n, NULL, &a, err, sizeof err) != 0) {
            FUZZ_CHECK(err[0] != '\0' && err[0] != 'x');
            FUZZ_CHECK(a.id == NULL && a.body == NULL);
            return 0;
        }
        FUZZ_CHECK(a.id != NULL && a.id[0] != '\0');
        article_check(&a);
        FUZZ_CHECK(cti_article_parse_json(in, n, NULL, &b, NULL, 0) == 0);
    } else {
        if (cti_article_parse_text(in, n, &a) != 0)
            return 0; /* no memory */
        article_check(&a);
        FUZZ_CHECK(cti_article_parse_text(in, n, &b) == 0);
    }
    FUZZ_CHECK(a.hash == b.hash);
    FUZZ_CHECK(article_str_eq(a.id, b.id));
    FUZZ_CHECK(article_str_eq(a.title, b.title));
    FUZZ_CHECK(a.body_len == b.body_len);
    FUZZ_CHECK(memcmp(a.body, b.body, a.body_len) == 0);
    cti_article_release(&a);
    cti_article_release(&b);
    /* Release is idempotent. */
    cti_article_release(&a);
    return 0;
}
