/*
 * cti_markup.c - the reply buffer and its escapers.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cti_escape.h"
#include "cti_markup.h"

void cti_markup_init(cti_markup *h)
{
    memset(h, 0, sizeof *h);
}

void cti_markup_release(cti_markup *h)
{
    free(h->buf);
    cti_markup_init(h);
}

cti_status cti_markup_status(const cti_markup *h)
{
    return h->nomem ? CTI_ENOMEM : CTI_OK;
}

char *cti_markup_take(cti_markup *h, size_t *len)
{
    char *b = h->buf;
    *len = h->len;
    if (h->nomem || !b) {
        free(b);
        b = h->nomem ? NULL : strdup("");
        *len = 0;
    }
    cti_markup_init(h);
    return b;
}

/* Room for 'n' more bytes and a NUL; 0, or -1 (and nomem set). */
static int reserve(cti_markup *h, size_t n)
{
    if (h->nomem)
        return -1;
    if (h->len + n + 1 <= h->cap)
        return 0;
    size_t cap = h->cap ? h->cap : 4096;
    while (cap < h->len + n + 1) {
        if (cap > ((size_t)-1) / 2) {
            h->nomem = 1;
            return -1;
        }
        cap *= 2;
    }
    char *b = realloc(h->buf, cap);
    if (!b) {
        h->nomem = 1;
        return -1;
    }
    h->buf = b;
    h->cap = cap;
    return 0;
}

void cti_markup_rawn(cti_markup *h, const char *s, size_t n)
{
    if (reserve(h, n))
        return;
    memcpy(h->buf + h->len, s, n);
    h->len += n;
    h->buf[h->len] = '\0';
}

void cti_markup_raw(cti_markup *h, const char *s)
{
    cti_markup_rawn(h, s, strlen(s));
}

void cti_markup_printf(cti_markup *h, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || reserve(h, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(h->buf + h->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    h->len += (size_t)n;
}

/*
 * Decode the UTF-8 character at s[0..n): its code point in *cp and its
 * length, or 0 when the bytes there are not valid UTF-8.
 */
static size_t utf8_next(const unsigned char *s, size_t n, unsigned *cp)
{
    unsigned c = s[0];
    size_t len;
    unsigned min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if ((c & 0xE0) == 0xC0) {
        len = 2, min = 0x80, c &= 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3, min = 0x800, c &= 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4, min = 0x10000, c &= 0x07;
    } else {
        return 0;
    }
    if (len > n)
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

int cti_markup_valid_utf8(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        unsigned cp;
        size_t l = utf8_next(u + i, n - i, &cp);
        if (!l || cp == 0)
            return 0;
        i += l;
    }
    return 1;
}

void cti_markup_text(cti_markup *h, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, run = 0; /* bytes [i - run, i) copied as they are */
    while (i < n) {
        unsigned cp;
        size_t l = utf8_next(u + i, n - i, &cp);
        const char *rep = NULL;
        if (l == 1) {
            switch (cp) {
            case '&': rep = "&amp;"; break;
            case '<': rep = "&lt;"; break;
            case '>': rep = "&gt;"; break;
            case '"': rep = "&quot;"; break;
            case '\'': rep = "&#39;"; break;
            case '\t': case '\n': break;
            default:
                if (cp < 0x20 || cp == 0x7F)
                    rep = "\xEF\xBF\xBD";
            }
        } else if (l == 0 || cti_escape_is_control(cp)) {
            rep = "\xEF\xBF\xBD";
            l = l ? l : 1;
        } else if (cti_escape_is_bidi(cp)) {
            rep = "";
        }
        if (!rep) {
            i += l;
            run += l;
            continue;
        }
        cti_markup_rawn(h, s + i - run, run);
        cti_markup_raw(h, rep);
        i += l;
        run = 0;
    }
    cti_markup_rawn(h, s + i - run, run);
}

void cti_markup_str(cti_markup *h, const char *s)
{
    if (s)
        cti_markup_text(h, s, strlen(s));
}

void cti_markup_url(cti_markup *h, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    if (reserve(h, n * 3))
        return;
    char *o = h->buf + h->len;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
            c == '~') {
            *o++ = (char)c;
        } else {
            *o++ = '%';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 15];
        }
    }
    h->len = (size_t)(o - h->buf);
    h->buf[h->len] = '\0';
}
