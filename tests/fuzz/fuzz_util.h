/*
 * fuzz_util.h - helpers shared by the libFuzzer harnesses in tests/fuzz/.
 *
 * Each harness defines LLVMFuzzerTestOneInput().  tests/test_regress.c
 * includes the harnesses (renaming that function) to replay their seed
 * and regression inputs in every "make test", so the helpers here are
 * static inline and guarded.
 */
#ifndef CTI_FUZZ_UTIL_H
#define CTI_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* An invariant the code under test promised: report and abort, which
   libFuzzer records as a crash with its input. */
#define FUZZ_CHECK(cond)                                                   \
    do {                                                                   \
        if (!(cond)) {                                                     \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__,     \
                    __LINE__, #cond);                                      \
            abort();                                                       \
        }                                                                  \
    } while (0)

/* 1 if s[0..n) is well-formed UTF-8 (no overlongs, surrogates or > U+10FFFF). */
static inline int fuzz_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        unsigned c = p[i];
        size_t k;
        unsigned cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            k = 1; cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            k = 2; cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            k = 3; cp = c & 0x07;
        } else {
            return 0;
        }
        if (n - i <= k)
            return 0;
        for (size_t j = 1; j <= k; j++) {
            if ((p[i + j] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (p[i + j] & 0x3F);
        }
        if ((k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) ||
            cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += k + 1;
    }
    return 1;
}

/* 1 if s[0..n) holds a byte < 0x20 other than tab/newline/CR, or DEL. */
static inline int fuzz_has_ctrl(const char *s, size_t n, int allow_newline)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == 0x7f)
            return 1;
        if (c < 0x20) {
            if (allow_newline && (c == '\n' || c == '\t' || c == '\r'))
                continue;
            return 1;
        }
    }
    return 0;
}

/* A copy of data[0..n) followed by a NUL (the caller frees), NULL on ENOMEM. */
static inline char *fuzz_strndup(const uint8_t *data, size_t n)
{
    char *s = malloc(n + 1);
    if (!s)
        return NULL;
    for (size_t i = 0; i < n; i++)
        s[i] = (char)data[i];
    s[n] = '\0';
    return s;
}

#endif /* CTI_FUZZ_UTIL_H */

/* The harness's entry point, declared outside the guard: tests/test_regress.c
   renames it before each harness it includes. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
