/*
 * cti_escape.c - untrusted text made safe for a terminal (see cti_escape.h).
 *
 * UTF-8 is checked strictly (RFC 3629): no overlong forms, no surrogates,
 * nothing above U+10FFFF; each byte of a bad sequence is escaped on its
 * own, so the output is always valid UTF-8.
 */
#include "cti_escape.h"

#include <stdint.h>
#include <string.h>

/* Decode the UTF-8 character at s[0..n); returns its length, 0 if invalid. */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    size_t len;
    uint32_t c = s[0], min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
        len = 2, c &= 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3, c &= 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4, c &= 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return len;
}

int cti_escape_is_control(uint32_t cp)
{
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
}

int cti_escape_is_bidi(uint32_t cp)
{
    return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ||
           cp == 0x200E || cp == 0x200F || cp == 0x061C;
}

size_t cti_escape_next(const char *s, size_t n, char esc[CTI_ESCAPE_MAX])
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *u = (const unsigned char *)s;
    uint32_t cp = 0;
    size_t len = utf8_decode(u, n, &cp);

    esc[0] = '\0';
    if (len == 0 || (cti_escape_is_control(cp) && cp < 0x80)) {
        /* A byte: a C0 control, DEL, or one that is not UTF-8. */
        esc[0] = '\\';
        esc[1] = 'x';
        esc[2] = hex[u[0] >> 4];
        esc[3] = hex[u[0] & 0xF];
        esc[4] = '\0';
        return 1;
    }
    if (cti_escape_is_control(cp) || cti_escape_is_bidi(cp)) {
        esc[0] = '\\';
        esc[1] = 'u';
        for (int i = 0; i < 4; i++)
            esc[2 + i] = hex[(cp >> (12 - 4 * i)) & 0xF];
        esc[6] = '\0';
    }
    return len;
}

cti_status cti_escape_fwrite(FILE *f, const char *s, size_t n)
{
    size_t i = 0, run = 0;
    while (i < n) {
        char esc[CTI_ESCAPE_MAX];
        size_t len = cti_escape_next(s + i, n - i, esc);
        if (esc[0]) {
            if (i > run && fwrite(s + run, 1, i - run, f) != i - run)
                return CTI_EIO;
            if (fputs(esc, f) < 0)
                return CTI_EIO;
            run = i + len;
        }
        i += len;
    }
    if (n > run && fwrite(s + run, 1, n - run, f) != n - run)
        return CTI_EIO;
    return CTI_OK;
}

cti_status cti_escape_fputs(FILE *f, const char *s)
{
    return cti_escape_fwrite(f, s, strlen(s));
}

/*
 * Where the sequence whose introducer ends at s[i] ends: 'kind' is '[' for
 * a CSI (parameters up to a final byte), else a string up to BEL, ESC \
 * or ST (U+009C).  Returns its length from s[0], or 'intro' when it is not
 * closed before the limit (the introducer alone), or n when cut short by
 * the end.
 */
static size_t seq_end(const unsigned char *s, size_t n, size_t i, int kind,
                      size_t intro)
{
    if (kind == '[') {
        for (; i < n && i < 64; i++)
            if (s[i] >= 0x40 && s[i] <= 0x7E)
                return i + 1;
        return i < n ? intro : n;
    }
    for (; i < n && i < 4096; i++) {
        if (s[i] == 0x07)
            return i + 1;
        if (s[i] == 0x1B && i + 1 < n && s[i + 1] == '\\')
            return i + 2;
        if (s[i] == 0xC2 && i + 1 < n && s[i + 1] == 0x9C)
            return i + 2;
    }
    return i < n ? intro : n;
}

size_t cti_escape_seq_len(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    if (n == 0)
        return 0;
    if (s[0] == 0x1B) {
        if (n < 2)
            return 1;
        if (s[1] == '[')
            return seq_end(s, n, 2, '[', 1);
        if (s[1] == ']' || s[1] == 'P' || s[1] == '_' || s[1] == '^')
            return seq_end(s, n, 2, ']', 1);
        return s[1] >= 0x20 && s[1] < 0x7F ? 2 : 1;
    }
    if (s[0] == 0xC2 && n >= 2) {
        switch (s[1]) {
        case 0x9B: return seq_end(s, n, 2, '[', 2);          /* CSI */
        case 0x9D: case 0x90: case 0x9F: case 0x9E:          /* OSC DCS APC PM */
            return seq_end(s, n, 2, ']', 2);
        default: break;
        }
    }
    return 0;
}
