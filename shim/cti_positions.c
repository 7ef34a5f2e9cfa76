/*
 * cti_positions.c - an article's word positions as parts, or as one blob
 * (the layouts are in cti_positions.h).
 */
#include "cti_positions.h"

#include <stdlib.h>
#include <string.h>

uint16_t cti_positions_fp(const char *term, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)term[i]) * 16777619u;
    uint16_t fp = (uint16_t)(h ^ (h >> 16));
    return fp == CTI_POSITIONS_SPELLED ? (uint16_t)(fp - 1) : fp;
}

unsigned cti_positions_part(uint16_t fp)
{
    return (unsigned)fp >> (16 - CTI_POSITIONS_PARTBITS);
}

unsigned cti_positions_key(uint16_t fp)
{
    unsigned k = fp & 0xffu;
    return k == CTI_POSITIONS_SPELLED2 ? k - 1 : k;
}

void cti_posblob_init(cti_posblob *b)
{
    b->data = NULL;
    b->len = b->cap = 0;
    memset(b->part, 0, sizeof b->part);
}

void cti_posblob_free(cti_posblob *b)
{
    if (!b)
        return;
    free(b->data);
    cti_posblob_init(b);
}

/* Room for 'more' bytes past len. */
static cti_status reserve(cti_posblob *b, size_t more)
{
    if (b->cap - b->len >= more)
        return CTI_OK;
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len < more) {
        if (cap > SIZE_MAX / 2)
            return CTI_ENOMEM;
        cap *= 2;
    }
    unsigned char *d = realloc(b->data, cap);
    if (!d)
        return CTI_ENOMEM;
    b->data = d;
    b->cap = cap;
    return CTI_OK;
}

/* Write v as a varint at p; returns the bytes written (1 to 5). */
static size_t put_varint(unsigned char *p, uint32_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        p[n++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    p[n++] = (unsigned char)v;
    return n;
}

/* The bytes of v as a varint. */
static size_t varint_len(uint32_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

/* An entry being written. */
typedef struct slot {
    uint16_t key;  /* as written: kv, or the spelled-out mark */
    uint16_t kv;   /* its key in its part (whole: the fingerprint) */
    uint16_t part; /* its part (whole: 0) */
    uint16_t wide; /* whole: a version 1 entry, keyed by 2 bytes */
    uint16_t fp;
    const cti_posterm *t;
    size_t bytes; /* of the deltas */
} slot;

/* The mark of a spelled-out entry of s's kind. */
static unsigned spelled(const slot *s)
{
    return s->wide ? CTI_POSITIONS_SPELLED : CTI_POSITIONS_SPELLED2;
}

/* The 16 bits an entry is first ordered by: its part, then its key in the
   part (whole: its fingerprint). */
static unsigned order_of(const slot *s)
{
    return s->wide ? s->kv : (unsigned)s->part << 8 | s->kv;
}

/* Spelled-out entries of one part, among themselves: by term. */
static int by_term(const void *a, const void *b)
{
    const slot *x = a, *y = b;
    size_t n = x->t->len < y->t->len ? x->t->len : y->t->len;
    int c = memcmp(x->t->term, y->t->term, n);
    return c ? c : (x->t->len > y->t->len) - (x->t->len < y->t->len);
}

/*
 * Put s[0, n) in blob order, with tmp (n slots) to work in: by part, then
 * key, then term; terms sharing a part and a key are spelled out (their
 * key the mark, which orders them last in their part).  A counting sort
 * on order_of(), two passes of a byte: a comparison sort of the slots
 * was the most of what building an article's positions cost.
 */
static void order_slots(slot *s, slot *tmp, size_t n)
{
    size_t count[257];
    slot *from = s, *to = tmp;
    for (unsigned shift = 0; shift < 16; shift += 8) {
        memset(count, 0, sizeof count);
        for (size_t i = 0; i < n; i++)
            count[(order_of(&from[i]) >> shift & 0xff) + 1]++;
        for (size_t b = 1; b < 257; b++)
            count[b] += count[b - 1];
        for (size_t i = 0; i < n; i++)
            to[count[order_of(&from[i]) >> shift & 0xff]++] = from[i];
        slot *x = from;
        from = to;
        to = x;
    }
    /* Two passes: the sorted slots are back in s. */
    for (size_t i = 0; i < n; i++) {
        unsigned o = order_of(&s[i]);
        int shared = (i > 0 && order_of(&s[i - 1]) == o) ||
                     (i + 1 < n && order_of(&s[i + 1]) == o);
        s[i].key = (uint16_t)(shared ? spelled(&s[i]) : s[i].kv);
    }
    /* Each part's spelled-out terms move to its end, by term. */
    for (size_t i = 0, o = 0; i < n;) {
        size_t j = i, k;
        while (j < n && s[j].part == s[i].part)
            j++;
        for (k = i; k < j; k++)
            if (s[k].key != spelled(&s[k]))
                tmp[o++] = s[k];
        size_t first = o;
        for (k = i; k < j; k++)
            if (s[k].key == spelled(&s[k]))
                tmp[o++] = s[k];
        if (o - first > 1)
            qsort(tmp + first, o - first, sizeof *tmp, by_term);
        i = j;
    }
    memcpy(s, tmp, n * sizeof *s);
}

/* Size the entry of s->t: CTI_EINVAL when its positions are not right. */
static cti_status size_entry(slot *s)
{
    const cti_posterm *t = s->t;
    if (t->npos == 0 || t->len > UINT32_MAX)
        return CTI_EINVAL;
    s->bytes = 0;
    for (size_t i = 0; i < t->npos; i++) {
        if (i > 0 && t->pos[i] <= t->pos[i - 1])
            return CTI_EINVAL;
        s->bytes += varint_len(i ? t->pos[i] - t->pos[i - 1] : t->pos[i]);
    }
    return s->bytes > UINT32_MAX ? CTI_EINVAL : CTI_OK;
}

/* The bytes of s's entry. */
static size_t entry_len(const slot *s)
{
    size_t n = 1u + s->wide + varint_len((uint32_t)s->bytes) + s->bytes;
    if (s->key == spelled(s))
        n += varint_len((uint32_t)s->t->len) + s->t->len;
    return n;
}

static void put_entry(cti_posblob *b, const slot *s)
{
    const cti_posterm *t = s->t;
    b->data[b->len++] = (unsigned char)(s->key & 0xff);
    if (s->wide)
        b->data[b->len++] = (unsigned char)(s->key >> 8);
    if (s->key == spelled(s)) {
        b->len += put_varint(b->data + b->len, (uint32_t)t->len);
        memcpy(b->data + b->len, t->term, t->len);
        b->len += t->len;
    }
    b->len += put_varint(b->data + b->len, (uint32_t)s->bytes);
    uint32_t prev = 0;
    for (size_t i = 0; i < t->npos; i++) {
        b->len += put_varint(b->data + b->len, t->pos[i] - prev);
        prev = t->pos[i];
    }
}

/* The bucket of s among 2^bits in its part: the top bits of its key (a
   spelled term's mark puts it in the last). */
static size_t bucket_of(const slot *s, unsigned bits)
{
    return (size_t)s->key >> ((s->wide ? 16 : 8) - bits);
}

/* The bytes of the part of the sorted entries s[0, n) (n > 0), its
   bucket bits into *bits and bucket sizes into size[]; 0 when too long. */
static size_t size_part(const slot *s, size_t n, unsigned *bits, uint32_t *size)
{
    unsigned bb = 0;
    while (bb < CTI_POSITIONS_MAXBITS && (n >> (bb + 3)) > 1)
        bb++;
    size_t nb = (size_t)1 << bb, total = 1u + s->wide + 5 * nb;
    memset(size, 0, nb * sizeof *size);
    for (size_t i = 0; i < n; i++) {
        size_t e = entry_len(&s[i]), k = bucket_of(&s[i], bb);
        if (e > UINT32_MAX - size[k])
            return 0;
        size[k] += (uint32_t)e;
        total += e;
    }
    *bits = bb;
    return total;
}

/* Append the part of the sorted entries s[0, n) (n > 0; room reserved). */
static void put_part(cti_posblob *b, const slot *s, size_t n, unsigned bits,
                     const uint32_t *size)
{
    if (s->wide) { /* version 1: a version byte, a bits byte */
        b->data[b->len++] = 1;
        b->data[b->len++] = (unsigned char)bits;
    } else {
        b->data[b->len++] = (unsigned char)(CTI_POSITIONS_VERSION << 4 | bits);
    }
    for (size_t k = 0; k < ((size_t)1 << bits); k++)
        b->len += put_varint(b->data + b->len, size[k]);
    for (size_t i = 0; i < n; i++)
        put_entry(b, &s[i]);
}

/* Write the parts of the sorted entries s[0, n). */
static cti_status write_blob(cti_posblob *b, const slot *s, size_t n)
{
    uint32_t size[1u << CTI_POSITIONS_MAXBITS];
    size_t i = 0;
    b->len = 0;
    for (unsigned p = 0; p < CTI_POSITIONS_PARTS; p++) {
        size_t j = i;
        unsigned bits;
        b->part[p] = b->len;
        while (j < n && s[j].part == p)
            j++;
        if (j == i)
            continue;
        size_t total = size_part(s + i, j - i, &bits, size);
        if (total == 0)
            return CTI_EINVAL;
        if (reserve(b, total) != CTI_OK)
            return CTI_ENOMEM;
        put_part(b, s + i, j - i, bits, size);
        i = j;
    }
    b->part[CTI_POSITIONS_PARTS] = b->len;
    return CTI_OK;
}

cti_status cti_posblob_build(cti_posblob *b, const cti_posterm *terms,
                             size_t n, size_t whole_max)
{
    slot *s = n ? calloc(2 * n, sizeof *s) : NULL; /* and room to sort */
    cti_status st = CTI_OK;
    size_t whole = 2 + 5;
    if (n && !s)
        return CTI_ENOMEM;
    for (size_t i = 0; i < n && st == CTI_OK; i++) {
        s[i].t = &terms[i];
        s[i].fp = cti_positions_fp(terms[i].term, terms[i].len);
        st = size_entry(&s[i]);
        whole += 3 + s[i].bytes + (s[i].bytes >= 0x80);
    }
    if (st != CTI_OK)
        goto done;
    /* Small enough: one blob of every term (version 1), which costs an
       article of few words less than its parts would (a value and a
       header a part). */
    b->whole = whole <= whole_max;
    for (size_t i = 0; i < n; i++) {
        s[i].wide = (uint16_t)b->whole;
        s[i].part = (uint16_t)(b->whole ? 0 : cti_positions_part(s[i].fp));
        s[i].kv = (uint16_t)(b->whole ? s[i].fp : cti_positions_key(s[i].fp));
    }
    if (n)
        order_slots(s, s + n, n);
    st = write_blob(b, s, n);
done:
    free(s);
    return st;
}

/* Read one varint of at most 32 bits from [*p, end) into *v. */
static cti_status get_varint(const unsigned char **p, const unsigned char *end,
                             uint32_t *v)
{
    uint64_t x = 0;
    for (unsigned shift = 0; shift < 35; shift += 7) {
        if (*p == end)
            return CTI_ECORRUPT;
        unsigned char c = *(*p)++;
        x |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            if (x > UINT32_MAX)
                return CTI_ECORRUPT;
            *v = (uint32_t)x;
            return CTI_OK;
        }
    }
    return CTI_ECORRUPT;
}

cti_status cti_posreader_init(cti_posreader *r, const void *blob, size_t len)
{
    const unsigned char *p = blob, *end = p + len;
    r->base = r->end = p;
    r->bits = r->shift = 0;
    r->version = 0;
    r->start[0] = r->start[1] = 0;
    if (!blob || len < 1)
        return CTI_ECORRUPT;
    unsigned version, bits;
    if (p[0] == 1 && len >= 2) { /* version, bits */
        version = 1;
        bits = p[1];
        p += 2;
    } else { /* version << 4 | bits */
        version = p[0] >> 4;
        bits = p[0] & 0x0fu;
        p += 1;
    }
    if ((version != 1 && p == (const unsigned char *)blob + 2) ||
        (version != CTI_POSITIONS_VERSION && p == (const unsigned char *)blob + 1) ||
        bits > CTI_POSITIONS_MAXBITS)
        return CTI_ECORRUPT;
    size_t nb = (size_t)1 << bits;
    uint64_t sum = 0;
    r->start[0] = 0;
    for (size_t k = 0; k < nb; k++) {
        uint32_t size;
        if (get_varint(&p, end, &size) != CTI_OK)
            return CTI_ECORRUPT;
        sum += size;
        if (sum > (size_t)(end - p))
            return CTI_ECORRUPT;
        r->start[k + 1] = (uint32_t)sum;
    }
    if (sum != (size_t)(end - p))
        return CTI_ECORRUPT;
    r->base = p;
    r->end = end;
    r->bits = bits;
    r->version = version;
    r->shift = (version == 1 ? 16 : 8) - bits;
    return CTI_OK;
}

/*
 * Look for 'term' (of key 'key': its fingerprint in version 1, its key
 * in its part in version 2) in bucket k: by key, or (spelled) by name.
 * CTI_OK with *d set, CTI_DONE, or CTI_ECORRUPT.
 */
static cti_status scan(const cti_posreader *r, size_t k, const char *term,
                       size_t len, unsigned key, cti_posdeltas *d)
{
    const unsigned char *p = r->base + r->start[k];
    const unsigned char *end = r->base + r->start[k + 1];
    size_t kb = r->version == 1 ? 2 : 1;
    unsigned spelled = r->version == 1 ? CTI_POSITIONS_SPELLED : CTI_POSITIONS_SPELLED2;
    while (p < end) {
        uint32_t tl = 0, dl;
        const unsigned char *name = NULL;
        if ((size_t)(end - p) < kb)
            return CTI_ECORRUPT;
        unsigned ek = kb == 2 ? (unsigned)(p[0] | p[1] << 8) : p[0];
        p += kb;
        if (ek == spelled) {
            if (get_varint(&p, end, &tl) != CTI_OK || tl > (size_t)(end - p))
                return CTI_ECORRUPT;
            name = p;
            p += tl;
        }
        if (get_varint(&p, end, &dl) != CTI_OK || dl > (size_t)(end - p))
            return CTI_ECORRUPT;
        if (name ? tl == len && memcmp(name, term, len) == 0 : ek == key) {
            d->p = p;
            d->end = p + dl;
            d->last = 0;
            d->started = 0;
            return CTI_OK;
        }
        p += dl;
    }
    return CTI_DONE;
}

cti_status cti_posreader_find(const cti_posreader *r, const char *term,
                              size_t len, uint16_t fp, cti_posdeltas *d)
{
    size_t last = ((size_t)1 << r->bits) - 1;
    unsigned key = r->version == 1 ? fp : cti_positions_key(fp);
    size_t k = ((size_t)key >> r->shift) & last;
    cti_status st = scan(r, k, term, len, key, d);
    /* A spelled-out term sits in the last bucket (its key is all ones). */
    if (st == CTI_DONE && k != last)
        st = scan(r, last, term, len, key, d);
    return st;
}

cti_status cti_posreader_next(cti_posdeltas *d, uint32_t *pos)
{
    uint32_t v;
    if (d->p == d->end)
        return CTI_DONE;
    if (get_varint(&d->p, d->end, &v) != CTI_OK || (d->started && v == 0) ||
        v > UINT32_MAX - d->last)
        return CTI_ECORRUPT;
    d->last += v;
    d->started = 1;
    *pos = d->last;
    return CTI_OK;
}

cti_status cti_posreader_read(cti_posdeltas *d, uint32_t *out, size_t cap,
                              size_t *n)
{
    size_t k = 0;
    cti_status st;
    uint32_t pos;
    while ((st = cti_posreader_next(d, &pos)) == CTI_OK) {
        if (k == cap)
            return CTI_ECORRUPT;
        out[k++] = pos;
    }
    if (st != CTI_DONE)
        return st;
    *n = k;
    return CTI_OK;
}
