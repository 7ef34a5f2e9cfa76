/*
 * cti_store.c - the document data record (metadata plus the body).
 *
 * Layout of version 2 (all integers are unsigned LEB128 varints, at most
 * 10 bytes, little-endian groups of 7 bits):
 *
 *   byte 0       magic 0xC7 ("cti record")
 *   byte 1       version, 2 (1: the same without the set-aside ranges;
 *                written when there are none, and still read; 3: below)
 *   6 x          varint length + bytes, for id, title, date, author,
 *                source, url (in that order; length 0 = absent)
 *   varint       number of set-aside ranges (version 2 only), then for
 *                each: varint gap from the end of the previous one (from
 *                0 for the first), varint length, one byte of kind (not 0)
 *   varint       uncompressed body length
 *   varint       compressed body length (0 when the body is empty)
 *   bytes        the body as a zlib stream (deflate + Adler-32)
 *
 * Version 3 keeps the body apart: the set-aside ranges (their count
 * always), the body's length, then one byte saying where the body is: 1,
 * a zstd frame in value slot CTI_SLOT_TEXT (cti_text.h).
 *
 * Nothing may follow.  Decoding checks every length against what is left
 * before reading, refuses a body length that no deflate stream of the
 * stored size could produce (zlib's best ratio is about 1032:1), checks
 * that inflate produces exactly the stored length and that the stream's
 * checksum is right.  Without the body, decode never touches zlib: it
 * only copies the metadata strings, so listing results stays cheap.
 */
#include "cti_store.h"

#include "cti_schema.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define MAGIC 0xC7u
#define VERSION 2u
#define VERSION_APART 3u
#define APART_TEXT_SLOT 1u   /* version 3: the body is in CTI_SLOT_TEXT */
#define NFIELDS 6
/* Deflate cannot expand more than ~1032:1; allow a margin for headers. */
#define MAX_RATIO 1100u

/* Are the set-aside ranges of 'r' sorted, within a body of body_len bytes,
   and of kinds 1 to 255? */
static int ranges_ok(const cti_record *r, size_t body_len)
{
    for (size_t i = 0, prev = 0; r->aside && i < r->naside; i++) {
        const cti_record_range *a = &r->aside[i];
        if (a->start < prev || a->end < a->start || a->end > body_len ||
            a->kind == 0 || a->kind > 255)
            return 0;
        prev = a->end;
    }
    return 1;
}

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

/* The bytes a record's header may take: magic, version, fields, ranges
   and two lengths; 0 when the fields are not valid. */
static size_t header_bound(const cti_record *r, const char *const *f,
                           size_t *fl)
{
    size_t naside = r->aside ? r->naside : 0;
    size_t need = 2 + 3 * 10 + 21 * naside;
    for (int i = 0; i < NFIELDS; i++) {
        if (!f[i])
            fl[i] = 0;
        need += 10 + fl[i];
    }
    return need;
}

/* Write the header of 'r' (version 'ver') up to and including the body
   length into buf; returns the bytes written. */
static size_t put_header(unsigned char *buf, const cti_record *r,
                         unsigned ver, const char *const *f, const size_t *fl,
                         size_t body_len)
{
    size_t naside = r->aside ? r->naside : 0, pos = 0;
    buf[pos++] = MAGIC;
    buf[pos++] = (unsigned char)ver;
    for (int i = 0; i < NFIELDS; i++) {
        pos += put_varint(buf + pos, fl[i]);
        if (fl[i])
            memcpy(buf + pos, f[i], fl[i]);
        pos += fl[i];
    }
    if (ver != 1) {
        pos += put_varint(buf + pos, naside);
        for (size_t i = 0, prev = 0; i < naside; i++) {
            const cti_record_range *a = &r->aside[i];
            pos += put_varint(buf + pos, a->start - prev);
            pos += put_varint(buf + pos, a->end - a->start);
            buf[pos++] = (unsigned char)a->kind;
            prev = a->end;
        }
    }
    pos += put_varint(buf + pos, body_len);
    return pos;
}

#define FIELDS(r)                                                        \
    const char *f[NFIELDS] = { (r)->id, (r)->title, (r)->date,          \
                               (r)->author, (r)->source, (r)->url };    \
    size_t fl[NFIELDS] = { (r)->id_len, (r)->title_len, (r)->date_len,  \
                           (r)->author_len, (r)->source_len, (r)->url_len }

cti_status cti_record_encode_apart(const cti_record *r, char **out,
                                   size_t *outlen)
{
    FIELDS(r);
    size_t body_len = r->body ? r->body_len : 0;
    *out = NULL;
    *outlen = 0;
    if (!ranges_ok(r, body_len))
        return CTI_EINVAL;
    unsigned char *buf = malloc(header_bound(r, f, fl) + 1);
    if (!buf)
        return CTI_ENOMEM;
    size_t pos = put_header(buf, r, VERSION_APART, f, fl, body_len);
    buf[pos++] = APART_TEXT_SLOT;
    *out = (char *)buf;
    *outlen = pos;
    return CTI_OK;
}

cti_status cti_record_encode(const cti_record *r, int level, char **out,
                             size_t *outlen)
{
    FIELDS(r);
    size_t body_len = r->body ? r->body_len : 0;
    unsigned char *buf = NULL;
    size_t need, pos;
    cti_status rc = CTI_ENOMEM;

    *out = NULL;
    *outlen = 0;
    if (level < -1 || level > 9)
        level = -1;
    if (!ranges_ok(r, body_len))
        return CTI_EINVAL;
    need = header_bound(r, f, fl);
    uLong bound = compressBound((uLong)body_len);
    if ((size_t)bound < body_len || need + bound < need)
        return CTI_ENOMEM;
    need += bound;
    buf = malloc(need);
    if (!buf)
        return CTI_ENOMEM;
    pos = put_header(buf, r, r->aside && r->naside ? VERSION : 1, f, fl,
                     body_len);
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
        if (zr != Z_STREAM_END) {
            rc = zr == Z_MEM_ERROR ? CTI_ENOMEM : CTI_ERROR;
            goto done;
        }
        size_t vl = put_varint(buf + lenpos, clen);
        memmove(buf + lenpos + vl, buf + pos, clen);
        pos = lenpos + vl + clen;
    }
    *out = (char *)buf;
    *outlen = pos;
    buf = NULL;
    rc = CTI_OK;
done:
    free(buf);
    return rc;
}

static cti_status fail(cti_record *r, char *err, size_t errlen, const char *msg)
{
    memset(r, 0, sizeof *r);
    if (strcmp(msg, "out of memory") == 0) {
        if (err && errlen)
            snprintf(err, errlen, "%s", msg);
        return CTI_ENOMEM;
    }
    if (err && errlen)
        snprintf(err, errlen, "bad document record: %s", msg);
    return CTI_ECORRUPT;
}

/* The count of set-aside ranges at *pos and their syntax: each two
   varints and a kind byte that is not 0.  Advances *pos; 0 or -1. */
static int skip_ranges(const unsigned char *d, size_t len, size_t *pos,
                       uint64_t *naside)
{
    if (get_varint(d, len, pos, naside) || *naside > (len - *pos) / 3)
        return -1;
    for (uint64_t i = 0; i < *naside; i++) {
        uint64_t gap, n;
        if (get_varint(d, len, pos, &gap) || get_varint(d, len, pos, &n) ||
            *pos >= len || d[(*pos)++] == 0)
            return -1;
    }
    return 0;
}

/* Fill ar[0..naside) from the ranges at 'pos' (their count first, checked
   by skip_ranges()); -1 when one reaches past the body. */
static int read_ranges(const unsigned char *d, size_t len, size_t pos,
                       uint64_t naside, uint64_t body_len, cti_record_range *ar)
{
    uint64_t count, prev = 0;
    if (!naside)
        return 0;
    get_varint(d, len, &pos, &count);
    for (uint64_t i = 0; i < naside; i++) {
        uint64_t gap, n;
        get_varint(d, len, &pos, &gap);
        get_varint(d, len, &pos, &n);
        if (gap > body_len - prev || n > body_len - prev - gap)
            return -1;
        ar[i].start = (size_t)(prev + gap);
        ar[i].end = (size_t)(prev + gap + n);
        ar[i].kind = d[pos++];
        prev = ar[i].end;
    }
    return 0;
}

/* Where the parts of a record lie, read from its header. */
typedef struct layout {
    size_t fpos[NFIELDS];     /* offset of each metadata field */
    uint64_t flen[NFIELDS];   /* and its length */
    size_t meta;              /* the fields' bytes, each with a NUL */
    size_t apos;              /* offset of the set-aside ranges (version 2) */
    uint64_t naside;          /* how many there are */
    size_t body_pos;          /* offset of the compressed body */
    uint64_t body_len, clen;  /* the body's length, and compressed */
    int apart;                /* version 3: the body is in CTI_SLOT_TEXT */
} layout;

/*
 * Read and check the header of the record d[0..len) into *l.  Returns
 * NULL, or why the record is bad (a constant, or written into m).
 */
static const char *read_layout(const unsigned char *d, size_t len, layout *l,
                               char *m, size_t msize)
{
    size_t pos = 2;
    if (!d || len < 2)
        return "truncated header";
    if (d[0] != MAGIC)
        return "not a cti record (bad magic byte)";
    if (d[1] != VERSION && d[1] != 1 && d[1] != VERSION_APART) {
        snprintf(m, msize, "unknown version %u", (unsigned)d[1]);
        return m;
    }
    l->meta = 0;
    for (int i = 0; i < NFIELDS; i++) {
        if (get_varint(d, len, &pos, &l->flen[i]) || l->flen[i] > len - pos)
            return "truncated metadata";
        l->fpos[i] = pos;
        pos += (size_t)l->flen[i];
        l->meta += (size_t)l->flen[i] + 1;
    }
    l->apos = pos;
    l->naside = 0;
    l->apart = d[1] == VERSION_APART;
    if (d[1] != 1 && skip_ranges(d, len, &pos, &l->naside) < 0)
        return "truncated set-aside ranges";
    if (get_varint(d, len, &pos, &l->body_len))
        return "truncated body header";
    if (l->apart) {
        if (pos >= len)
            return "truncated body header";
        if (d[pos] != APART_TEXT_SLOT) {
            snprintf(m, msize, "unknown place of the body %u",
                     (unsigned)d[pos]);
            return m;
        }
        if (++pos != len)
            return "trailing bytes";
        if (l->body_len >= SIZE_MAX / 2)
            return "impossible body length";
        l->clen = 0;
        l->body_pos = pos;
        return NULL;
    }
    if (get_varint(d, len, &pos, &l->clen))
        return "truncated body header";
    if (l->clen != len - pos)
        return l->clen > len - pos ? "truncated body" : "trailing bytes";
    if ((l->body_len == 0) != (l->clen == 0) ||
        l->body_len > (uint64_t)l->clen * MAX_RATIO + 64 ||
        l->body_len >= SIZE_MAX / 2)
        return "impossible body length";
    l->body_pos = pos;
    return NULL;
}

/*
 * Inflate the 'clen' bytes at 'in' into 'body' (room for body_len + 1
 * bytes), checking that the stream ends exactly there and holds exactly
 * body_len bytes.  Returns NULL, or why it does not.
 */
static const char *inflate_body(const unsigned char *in, uint64_t clen,
                                char *body, uint64_t body_len)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit(&zs) != Z_OK)
        return "out of memory"; /* zlib cannot set up without memory */
    /* One spare output byte: a stream longer than the stored length
       shows up as got > body_len instead of a stall. */
    size_t in_left = (size_t)clen, out_left = (size_t)body_len + 1;
    zs.next_in = (Bytef *)in;
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
    if (zr == Z_STREAM_END && got == body_len && !rest_in)
        return NULL;
    if (zr == Z_STREAM_END)
        return got != body_len ? "body length mismatch"
                               : "trailing bytes after the compressed body";
    if (zr == Z_OK || zr == Z_BUF_ERROR)
        return got > body_len ? "body length mismatch"
                              : "truncated compressed body";
    return "corrupt compressed body";
}

/* Is there a text kept apart to read in 'text'?  If not, say so in err. */
static int have_text(const cti_record_text *text, char *err, size_t errlen)
{
    if (text && text->frame && text->len && text->reader)
        return 1;
    if (err && errlen)
        snprintf(err, errlen, "bad stored text: missing from the index");
    return 0;
}

cti_status cti_record_decode(const char *data, size_t len,
                             const cti_record_text *text, int want_body,
                             cti_record *r, char *err, size_t errlen)
{
    const unsigned char *d = (const unsigned char *)data;
    char m[64];
    layout l;
    const char *why;

    memset(r, 0, sizeof *r);
    if ((why = read_layout(d, len, &l, m, sizeof m)) != NULL)
        return fail(r, err, errlen, why);
    size_t ranges = (size_t)l.naside * sizeof(cti_record_range);
    size_t total = ranges + l.meta + (want_body ? (size_t)l.body_len + 1 : 0);
    /* The ranges first: the block's start is aligned for them. */
    char *block = malloc(total ? total : 1);
    if (!block)
        return fail(r, err, errlen, "out of memory");
    cti_record_range *ar = (cti_record_range *)(void *)block;
    if (read_ranges(d, len, l.apos, l.naside, l.body_len, ar) < 0) {
        free(block);
        return fail(r, err, errlen, "set-aside range outside the body");
    }
    if (l.naside) {
        r->aside = ar;
        r->naside = (size_t)l.naside;
    }
    char *w = block + ranges;
    const char **fp[NFIELDS] = { &r->id, &r->title, &r->date, &r->author,
                                 &r->source, &r->url };
    size_t *lp[NFIELDS] = { &r->id_len, &r->title_len, &r->date_len,
                            &r->author_len, &r->source_len, &r->url_len };
    for (int i = 0; i < NFIELDS; i++) {
        memcpy(w, d + l.fpos[i], (size_t)l.flen[i]);
        w[l.flen[i]] = '\0';
        if (l.flen[i]) {
            *fp[i] = w;
            *lp[i] = (size_t)l.flen[i];
        }
        w += l.flen[i] + 1;
    }
    if (want_body && l.apart && l.body_len) {
        cti_status st = !have_text(text, err, errlen) ? CTI_ECORRUPT
            : cti_text_unpack(text->reader, text->frame, text->len, w,
                              (size_t)l.body_len, err, errlen);
        if (st != CTI_OK) {
            free(block);
            memset(r, 0, sizeof *r);
            return st;
        }
    }
    if (want_body) {
        if (l.body_len && !l.apart &&
            (why = inflate_body(d + l.body_pos, l.clen, w, l.body_len)) != NULL) {
            free(block);
            return fail(r, err, errlen, why);
        }
        w[l.body_len] = '\0';
        r->body = w;
        r->body_len = (size_t)l.body_len;
    }
    r->owned_ = block;
    return CTI_OK;
}

cti_status cti_record_read(cti_db *db, cti_text_reader *tr, uint32_t docid,
                           int want_body, cti_record *r, char *err,
                           size_t errlen)
{
    char *data = NULL, *frame = NULL;
    size_t len = 0, flen = 0;
    cti_text_reader *own = NULL;
    memset(r, 0, sizeof *r);
    cti_status st = cti_db_get_data(db, docid, &data, &len);
    if (st == CTI_OK && want_body)
        st = cti_db_get_value(db, docid, CTI_SLOT_TEXT, &frame, &flen);
    if (st == CTI_OK && want_body && flen && !tr)
        st = cti_text_reader_new(db, &own);
    if (st == CTI_OK) {
        cti_record_text text = { frame, flen, tr ? tr : own };
        st = cti_record_decode(data, len, &text, want_body, r, err, errlen);
    } else if (err && errlen) {
        snprintf(err, errlen, "%s", cti_errmsg());
    }
    cti_text_reader_free(own);
    free(frame);
    free(data);
    return st;
}

const char *cti_record_kind_name(unsigned kind)
{
    /* In the order of cti_boiler_kind (indexer/cti_boiler.h), from 1. */
    static const char *const names[] = { "navigation", "share", "teaser",
                                         "author", "comments", "template",
                                         "layout" };
    return kind >= 1 && kind <= sizeof names / sizeof *names ? names[kind - 1]
                                                              : "boilerplate";
}

void cti_record_release(cti_record *r)
{
    if (!r)
        return;
    free(r->owned_);
    memset(r, 0, sizeof *r);
}

/* ---------------------------------------------------------- streaming */

struct cti_body_reader {
    z_stream zs;
    int started;            /* inflateInit done */
    int ended;              /* the stream ended and was checked */
    const unsigned char *in;/* compressed bytes not yet given to zlib */
    size_t in_left;
    uint64_t body_len;      /* what the record says */
    uint64_t got;           /* inflated so far */
    cti_text_stream *text;  /* a body kept apart: read from here */
};

int cti_record_open_body(const char *data, size_t len,
                         const cti_record_text *text, cti_record *r,
                         cti_body_reader **out, char *err, size_t errlen)
{
    layout l;
    char ver[64];
    *out = NULL;
    memset(r, 0, sizeof *r);
    const char *why = read_layout((const unsigned char *)data, len, &l, ver,
                                  sizeof ver);
    if (why)
        return fail(r, err, errlen, why);
    cti_body_reader *b = calloc(1, sizeof *b);
    if (!b)
        return fail(r, err, errlen, "out of memory");
    if (cti_record_decode(data, len, NULL, 0, r, err, errlen)) {
        free(b);
        return -1;
    }
    if (l.apart && l.body_len) {
        cti_status st = !have_text(text, err, errlen) ? CTI_ECORRUPT
            : cti_text_stream_open(text->reader, text->frame, text->len,
                                   l.body_len, &b->text, err, errlen);
        if (st != CTI_OK) {
            cti_record_release(r);
            free(b);
            return -1;
        }
        *out = b;
        return 0;
    }
    b->in = (const unsigned char *)data + l.body_pos;
    b->in_left = (size_t)l.clen;
    b->body_len = l.body_len;
    b->ended = l.body_len == 0;
    if (!b->ended) {
        if (inflateInit(&b->zs) != Z_OK) {
            cti_record_release(r);
            free(b);
            return fail(r, err, errlen, "zlib initialisation failed");
        }
        b->started = 1;
    }
    *out = b;
    return 0;
}

/* The reader's message for a failed inflate that returned 'zr'. */
static const char *inflate_failure(const cti_body_reader *b, int zr)
{
    if (zr == Z_STREAM_END && b->got != b->body_len)
        return "body length mismatch";
    if (zr == Z_STREAM_END)
        return "trailing bytes after the compressed body";
    if (b->got > b->body_len)
        return "body length mismatch";
    if (zr == Z_OK || zr == Z_BUF_ERROR)
        return "truncated compressed body";
    return "corrupt compressed body";
}

ptrdiff_t cti_body_read(cti_body_reader *b, char *buf, size_t cap, char *err,
                        size_t errlen)
{
    if (b->text)
        return cti_text_stream_read(b->text, buf, cap, err, errlen);
    if (b->ended || cap == 0)
        return 0;
    /* One spare byte past the stored length shows a longer stream. */
    uint64_t room = b->body_len - b->got + 1;
    if (cap > room)
        cap = (size_t)room;
    if (cap > UINT32_MAX)
        cap = UINT32_MAX;
    b->zs.next_out = (Bytef *)buf;
    b->zs.avail_out = (uInt)cap;
    int zr;
    do {
        if (b->zs.avail_in == 0 && b->in_left) {
            b->zs.next_in = (Bytef *)b->in;
            b->zs.avail_in = b->in_left > UINT32_MAX ? UINT32_MAX : (uInt)b->in_left;
            b->in += b->zs.avail_in;
            b->in_left -= b->zs.avail_in;
        }
        zr = inflate(&b->zs, Z_NO_FLUSH);
    } while (zr == Z_OK && b->zs.avail_out && (b->zs.avail_in || b->in_left));
    size_t n = cap - b->zs.avail_out;
    b->got += n;
    int rest_in = b->zs.avail_in != 0 || b->in_left != 0;
    int ok = zr == Z_STREAM_END ? b->got == b->body_len && !rest_in
                                : zr == Z_OK && b->got <= b->body_len &&
                                  (rest_in || b->zs.avail_out == 0);
    if (!ok) {
        if (err && errlen)
            snprintf(err, errlen, "bad document record: %s",
                     inflate_failure(b, zr));
        return -1;
    }
    if (zr == Z_STREAM_END)
        b->ended = 1;
    return (ptrdiff_t)n;
}

void cti_body_reader_free(cti_body_reader *b)
{
    if (!b)
        return;
    if (b->started)
        inflateEnd(&b->zs);
    cti_text_stream_free(b->text);
    free(b);
}
