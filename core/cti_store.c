/*
 * cti_store.c - the document data record (metadata plus deflated body).
 *
 * Layout of version 1 (all integers are unsigned LEB128 varints, at most
 * 10 bytes, little-endian groups of 7 bits):
 *
 *   byte 0       magic 0xC7 ("cti record")
 *   byte 1       version, 1
 *   6 x          varint length + bytes, for id, title, date, author,
 *                source, url (in that order; length 0 = absent)
 *   varint       uncompressed body length
 *   varint       compressed body length (0 when the body is empty)
 *   bytes        the body as a zlib stream (deflate + Adler-32)
 *
 * Nothing may follow.  Decoding checks every length against what is left
 * before reading, refuses a body length that no deflate stream of the
 * stored size could produce (zlib's best ratio is about 1032:1), checks
 * that inflate produces exactly the stored length and that the stream's
 * checksum is right.  Without the body, decode never touches zlib: it
 * only copies the metadata strings, so listing results stays cheap.
 */
#include "cti_store.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define MAGIC 0xC7u
#define VERSION 1u
#define NFIELDS 6
/* Deflate cannot expand more than ~1032:1; allow a margin for headers. */
#define MAX_RATIO 1100u

static size_t put_varint(unsigned char *p, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        p[n++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    p[n++] = (unsigned char)v;
    return n;
}

/* Read a varint at *pos (< len); returns 0 and advances, -1 if truncated
   or longer than 64 bits. */
static int get_varint(const unsigned char *d, size_t len, size_t *pos,
                      uint64_t *out)
{
    uint64_t v = 0;
    unsigned shift = 0;
    size_t p = *pos;
    for (;;) {
        if (p >= len || shift > 63)
            return -1;
        unsigned b = d[p++];
        if (shift == 63 && (b & 0x7e))
            return -1;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            break;
        shift += 7;
    }
    *pos = p;
    *out = v;
    return 0;
}

int cti_record_encode(const cti_record *r, int level, char **out,
                      size_t *outlen)
{
    const char *f[NFIELDS] = { r->id, r->title, r->date, r->author,
                               r->source, r->url };
    size_t fl[NFIELDS] = { r->id_len, r->title_len, r->date_len,
                           r->author_len, r->source_len, r->url_len };
    size_t body_len = r->body ? r->body_len : 0;
    unsigned char *buf = NULL;
    size_t need = 2 + 2 * 10, pos = 0;
    int rc = -1;

    *out = NULL;
    *outlen = 0;
    if (level < -1 || level > 9)
        level = -1;
    for (int i = 0; i < NFIELDS; i++) {
        if (!f[i])
            fl[i] = 0;
        need += 10 + fl[i];
    }
    uLong bound = compressBound((uLong)body_len);
    if ((size_t)bound < body_len || need + bound < need)
        return -1;
    need += bound;
    buf = malloc(need);
    if (!buf)
        return -1;

    buf[pos++] = MAGIC;
    buf[pos++] = VERSION;
    for (int i = 0; i < NFIELDS; i++) {
        pos += put_varint(buf + pos, fl[i]);
        if (fl[i])
            memcpy(buf + pos, f[i], fl[i]);
        pos += fl[i];
    }
    pos += put_varint(buf + pos, body_len);
    if (body_len == 0) {
        pos += put_varint(buf + pos, 0);
    } else {
        /* Reserve 10 bytes for the compressed length, then move the
           stream down if the varint came out shorter. */
        size_t lenpos = pos;
        pos += 10;
        z_stream zs;
        memset(&zs, 0, sizeof zs);
        if (deflateInit(&zs, level) != Z_OK)
            goto done;
        zs.next_in = (Bytef *)r->body;
        zs.avail_in = 0;
        zs.next_out = buf + pos;
        zs.avail_out = 0;
        size_t in_left = body_len, out_left = need - pos;
        int zr;
        do {
            if (zs.avail_in == 0 && in_left) {
                zs.avail_in = in_left > UINT32_MAX ? UINT32_MAX : (uInt)in_left;
                in_left -= zs.avail_in;
            }
            if (zs.avail_out == 0 && out_left) {
                zs.avail_out = out_left > UINT32_MAX ? UINT32_MAX : (uInt)out_left;
                out_left -= zs.avail_out;
            }
            zr = deflate(&zs, in_left || zs.avail_in ? Z_NO_FLUSH : Z_FINISH);
        } while (zr == Z_OK);
        size_t clen = (size_t)((unsigned char *)zs.next_out - (buf + pos));
        deflateEnd(&zs);
        if (zr != Z_STREAM_END)
            goto done;
        size_t vl = put_varint(buf + lenpos, clen);
        memmove(buf + lenpos + vl, buf + pos, clen);
        pos = lenpos + vl + clen;
    }
    *out = (char *)buf;
    *outlen = pos;
    buf = NULL;
    rc = 0;
done:
    free(buf);
    return rc;
}

static int fail(cti_record *r, char *err, size_t errlen, const char *msg)
{
    memset(r, 0, sizeof *r);
    if (err && errlen)
        snprintf(err, errlen, "bad document record: %s", msg);
    return -1;
}

int cti_record_decode(const char *data, size_t len, int want_body,
                      cti_record *r, char *err, size_t errlen)
{
    const unsigned char *d = (const unsigned char *)data;
    size_t pos = 0, fpos[NFIELDS];
    uint64_t flen[NFIELDS], body_len, clen;
    size_t total = 0;

    memset(r, 0, sizeof *r);
    if (!d || len < 2)
        return fail(r, err, errlen, "truncated header");
    if (d[0] != MAGIC)
        return fail(r, err, errlen, "not a cti record (bad magic byte)");
    if (d[1] != VERSION) {
        char m[64];
        snprintf(m, sizeof m, "unknown version %u", (unsigned)d[1]);
        return fail(r, err, errlen, m);
    }
    pos = 2;
    for (int i = 0; i < NFIELDS; i++) {
        if (get_varint(d, len, &pos, &flen[i]) || flen[i] > len - pos)
            return fail(r, err, errlen, "truncated metadata");
        fpos[i] = pos;
        pos += (size_t)flen[i];
        total += (size_t)flen[i] + 1;
    }
    if (get_varint(d, len, &pos, &body_len) || get_varint(d, len, &pos, &clen))
        return fail(r, err, errlen, "truncated body header");
    if (clen != len - pos)
        return fail(r, err, errlen, clen > len - pos ? "truncated body"
                                                     : "trailing bytes");
    if ((body_len == 0) != (clen == 0) ||
        body_len > (uint64_t)clen * MAX_RATIO + 64 || body_len >= SIZE_MAX / 2)
        return fail(r, err, errlen, "impossible body length");
    if (want_body)
        total += (size_t)body_len + 1;

    char *block = malloc(total ? total : 1);
    if (!block)
        return fail(r, err, errlen, "out of memory");
    char *w = block;
    const char **fp[NFIELDS] = { &r->id, &r->title, &r->date, &r->author,
                                 &r->source, &r->url };
    size_t *lp[NFIELDS] = { &r->id_len, &r->title_len, &r->date_len,
                            &r->author_len, &r->source_len, &r->url_len };
    for (int i = 0; i < NFIELDS; i++) {
        memcpy(w, d + fpos[i], (size_t)flen[i]);
        w[flen[i]] = '\0';
        if (flen[i]) {
            *fp[i] = w;
            *lp[i] = (size_t)flen[i];
        }
        w += flen[i] + 1;
    }
    if (want_body) {
        char *body = w;
        if (body_len) {
            z_stream zs;
            memset(&zs, 0, sizeof zs);
            if (inflateInit(&zs) != Z_OK) {
                free(block);
                return fail(r, err, errlen, "zlib initialisation failed");
            }
            /* One spare output byte: a stream longer than the stored
               length shows up as got > body_len instead of a stall. */
            size_t in_left = (size_t)clen, out_left = (size_t)body_len + 1;
            zs.next_in = (Bytef *)(d + pos);
            zs.next_out = (Bytef *)body;
            int zr;
            do {
                if (zs.avail_in == 0 && in_left) {
                    zs.avail_in = in_left > UINT32_MAX ? UINT32_MAX : (uInt)in_left;
                    in_left -= zs.avail_in;
                }
                if (zs.avail_out == 0 && out_left) {
                    zs.avail_out = out_left > UINT32_MAX ? UINT32_MAX : (uInt)out_left;
                    out_left -= zs.avail_out;
                }
                zr = inflate(&zs, Z_NO_FLUSH);
            } while (zr == Z_OK && (zs.avail_in || in_left) &&
                     (zs.avail_out || out_left));
            size_t got = (size_t)((char *)zs.next_out - body);
            int rest_in = zs.avail_in != 0 || in_left != 0;
            inflateEnd(&zs);
            if (zr != Z_STREAM_END || got != body_len || rest_in) {
                const char *why = "corrupt compressed body";
                if (zr == Z_STREAM_END && got != body_len)
                    why = "body length mismatch";
                else if (zr == Z_STREAM_END)
                    why = "trailing bytes after the compressed body";
                else if (zr == Z_OK || zr == Z_BUF_ERROR)
                    why = got > body_len ? "body length mismatch"
                                         : "truncated compressed body";
                free(block);
                return fail(r, err, errlen, why);
            }
        }
        body[body_len] = '\0';
        r->body = body;
        r->body_len = (size_t)body_len;
    }
    r->owned_ = block;
    return 0;
}

void cti_record_release(cti_record *r)
{
    if (!r)
        return;
    free(r->owned_);
    memset(r, 0, sizeof *r);
}
