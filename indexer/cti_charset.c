/*
 * cti_charset.c - bytes in any encoding to valid UTF-8 (see cti_charset.h).
 *
 * The common case, valid UTF-8 that is mostly ASCII, costs one pass that
 * skips eight ASCII bytes at a time.  Everything else goes through
 * iconv(3), growing the output as needed; a byte iconv refuses is
 * replaced by U+FFFD and skipped.
 */
#include "cti_charset.h"

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <utf8proc.h>

#define DECLARED_SCAN 4096

static const char REPLACEMENT[] = "\xef\xbf\xbd"; /* U+FFFD */

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    utf8proc_int32_t cp;
    utf8proc_ssize_t k = utf8proc_iterate(s, n > 4 ? 4 : (utf8proc_ssize_t)n,
                                          &cp);
    return k > 0 ? (size_t)k : 0;
}

/* Count the bytes of s that are not valid UTF-8 (*bad) and the valid
   sequences of more than one byte (*multi); ASCII is skipped eight bytes
   at a time.  With 'stop_at_bad' it returns at the first bad byte. */
static void utf8_scan(const char *s, size_t len, size_t *bad, size_t *multi,
                      int stop_at_bad)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    *bad = *multi = 0;
    while (i < len) {
        if (i + 8 <= len) {
            uint64_t w;
            memcpy(&w, p + i, 8);
            if (!(w & 0x8080808080808080ull)) {
                i += 8;
                continue;
            }
        }
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        size_t k = utf8_seq(p + i, len - i);
        if (k == 0) {
            (*bad)++;
            if (stop_at_bad)
                return;
            i++;
        } else {
            (*multi)++;
            i += k;
        }
    }
}

int cti_charset_is_utf8(const char *s, size_t len)
{
    size_t bad, multi;
    utf8_scan(s, len, &bad, &multi, 1);
    return bad == 0;
}

/* The charset a byte order mark names, or NULL. */
static const char *bom_charset(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    if (len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF)
        return CTI_CHARSET_UTF8;
    if (len >= 2 && u[0] == 0xFF && u[1] == 0xFE)
        return "UTF-16LE";
    if (len >= 2 && u[0] == 0xFE && u[1] == 0xFF)
        return "UTF-16BE";
    return NULL;
}

const char *cti_charset_guess(const char *s, size_t len)
{
    size_t bad, multi;
    const char *bom = bom_charset(s, len);
    if (bom)
        return bom;
    utf8_scan(s, len, &bad, &multi, 0);
    return bad == 0 || multi > bad ? CTI_CHARSET_UTF8 : CTI_CHARSET_CP1252;
}

/* Case-insensitive search for 'needle' in [p, end). */
static const char *find_ci(const char *p, const char *end, const char *needle)
{
    size_t n = strlen(needle);
    for (; p + n <= end; p++)
        if (strncasecmp(p, needle, n) == 0)
            return p;
    return NULL;
}

/* The charset name after "charset" / "encoding" at p (skipping '=',
   quotes and spaces), copied into name; 1 if one was there. */
static int copy_name(const char *p, const char *end, char *name,
                     size_t namelen)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    if (p >= end || *p != '=')
        return 0;
    p++;
    while (p < end && (*p == ' ' || *p == '"' || *p == '\'' || *p == '\t'))
        p++;
    size_t n = 0;
    while (p + n < end && n + 1 < namelen &&
           (isalnum((unsigned char)p[n]) || strchr("-_.:", p[n])))
        n++;
    if (n == 0)
        return 0;
    memcpy(name, p, n);
    name[n] = '\0';
    return 1;
}

int cti_charset_declared(const char *s, size_t len, char *name,
                         size_t namelen)
{
    const char *bom = bom_charset(s, len);
    if (!namelen)
        return 0;
    if (bom) {
        snprintf(name, namelen, "%s", bom);
        return 1;
    }
    const char *end = s + (len < DECLARED_SCAN ? len : DECLARED_SCAN);
    const char *p = s;
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    if (end - p > 5 && strncmp(p, "<?xml", 5) == 0) {
        const char *close = find_ci(p, end, "?>");
        const char *enc = find_ci(p, close ? close : end, "encoding");
        if (enc && copy_name(enc + 8, close ? close : end, name, namelen))
            return 1;
    }
    for (p = s; (p = find_ci(p, end, "<meta")) != NULL; p += 5) {
        const char *close = memchr(p, '>', (size_t)(end - p));
        const char *stop = close ? close : end;
        const char *cs = find_ci(p, stop, "charset");
        if (cs && copy_name(cs + 7, stop, name, namelen))
            return 1;
    }
    return 0;
}

char *cti_charset_repair(const char *s, size_t len, size_t *outlen,
                         int *repaired)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t bad, multi;

    utf8_scan(s, len, &bad, &multi, 0);
    if (bad > (SIZE_MAX - len - 1) / 2)
        return NULL;
    char *out = malloc(len + 2 * bad + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    if (bad == 0) {
        if (len)
            memcpy(out, s, len);
        o = len;
    } else {
        *repaired = 1;
        for (size_t i = 0; i < len;) {
            size_t k = p[i] < 0x80 ? 1 : utf8_seq(p + i, len - i);
            if (k == 0) {
                memcpy(out + o, REPLACEMENT, 3);
                o += 3;
                i++;
            } else {
                memcpy(out + o, p + i, k);
                o += k;
                i += k;
            }
        }
    }
    for (char *z = memchr(out, 0, o); z;
         z = memchr(z + 1, 0, o - (size_t)(z + 1 - out)))
        *z = ' ';
    out[o] = '\0';
    *outlen = o;
    return out;
}

/* The iconv name for a charset label: web browsers read the Latin-1 and
   ASCII labels as Windows-1252. */
static const char *iconv_name(const char *label)
{
    static const char *const cp1252[] = {
        "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "l1", "cp819",
        "ibm819", "us-ascii", "ascii", "windows-1252", "cp1252", "x-cp1252",
        "iso-ir-100", "csisolatin1",
    };
    for (size_t i = 0; i < sizeof cp1252 / sizeof *cp1252; i++)
        if (strcasecmp(label, cp1252[i]) == 0)
            return CTI_CHARSET_CP1252;
    if (strcasecmp(label, "utf8") == 0 || strcasecmp(label, "unicode-1-1-utf-8") == 0)
        return CTI_CHARSET_UTF8;
    return label;
}

/* Grow *buf (capacity *cap) so that at least 'need' more bytes fit after
   'used'; -1 on no memory. */
static int room(char **buf, size_t *cap, size_t used, size_t need)
{
    if (*cap - used >= need)
        return 0;
    size_t n = *cap * 2;
    if (n < used + need)
        n = used + need;
    char *b = realloc(*buf, n);
    if (!b)
        return -1;
    *buf = b;
    *cap = n;
    return 0;
}

/* Run iconv 'cd' over the whole input into a growing buffer. */
static int convert(iconv_t cd, const char *s, size_t len, char **out,
                   size_t *outlen, size_t *bad)
{
    size_t cap = len + len / 2 + 16, used = 0;
    char *buf = malloc(cap);
    char *in = (char *)s;
    size_t left = len;
    if (!buf)
        return -1;
    while (left > 0) {
        if (room(&buf, &cap, used, 16)) {
            free(buf);
            return -1;
        }
        char *o = buf + used;
        size_t avail = cap - used - 1;
        size_t r = iconv(cd, &in, &left, &o, &avail);
        used = (size_t)(o - buf);
        if (r != (size_t)-1)
            break;
        if (errno == E2BIG) {
            if (room(&buf, &cap, used, cap / 2 + 16)) {
                free(buf);
                return -1;
            }
            continue;
        }
        /* EILSEQ or EINVAL (cut short): one U+FFFD, skip the byte. */
        if (room(&buf, &cap, used, 4)) {
            free(buf);
            return -1;
        }
        memcpy(buf + used, REPLACEMENT, 3);
        used += 3;
        in++;
        left--;
        (*bad)++;
    }
    /* The shift sequence a stateful charset may still owe. */
    if (room(&buf, &cap, used, 16) == 0) {
        char *o = buf + used;
        size_t avail = cap - used - 1;
        iconv(cd, NULL, NULL, &o, &avail);
        used = (size_t)(o - buf);
    }
    buf[used] = '\0';
    *out = buf;
    *outlen = used;
    return 0;
}

int cti_charset_to_utf8(const char *s, size_t len, const char *charset,
                        char **out, size_t *outlen, size_t *bad)
{
    size_t nbad = 0;
    int rc = 0;
    const char *name = iconv_name(charset);
    *out = NULL;
    *outlen = 0;
    if (strcasecmp(name, CTI_CHARSET_UTF8) == 0 || strcasecmp(name, "utf-8") == 0) {
        int repaired = 0;
        size_t skip = len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
        *out = cti_charset_repair(s + skip, len - skip, outlen, &repaired);
        if (!*out)
            return -1;
        if (repaired) {
            size_t b, m;
            utf8_scan(s, len, &b, &m, 0);
            nbad = b;
        }
    } else {
        iconv_t cd = iconv_open("UTF-8", name);
        if (cd == (iconv_t)-1)
            return errno == ENOMEM ? -1 : -2;
        rc = convert(cd, s, len, out, outlen, &nbad);
        iconv_close(cd);
        if (rc)
            return rc;
        char *o = *out;
        if (*outlen >= 3 && memcmp(o, "\xef\xbb\xbf", 3) == 0) {
            memmove(o, o + 3, *outlen - 3 + 1);
            *outlen -= 3;
        }
        for (char *z = memchr(o, 0, *outlen); z;
             z = memchr(z + 1, 0, *outlen - (size_t)(z + 1 - o)))
            *z = ' ';
    }
    if (bad)
        *bad = nbad;
    return 0;
}
