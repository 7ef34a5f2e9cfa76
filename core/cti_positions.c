/*
 * cti_positions.c - an article's word positions as one blob (the layout
 * is in cti_positions.h).
 */
#include "cti_positions.h"

#include <stdlib.h>
#include <string.h>

void cti_posblob_init(cti_posblob *b)
{
    b->data = NULL;
    b->len = b->cap = 0;
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

cti_status cti_posblob_reset(cti_posblob *b)
{
    b->len = 0;
    cti_status st = reserve(b, 1);
    if (st == CTI_OK)
        b->data[b->len++] = CTI_POSITIONS_VERSION;
    return st;
}

/* Write v as a varint at p; returns the bytes written (1 to 5). */
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

cti_status cti_posblob_add(cti_posblob *b, const uint32_t *pos, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (pos[i] <= pos[i - 1])
            return CTI_EINVAL;
    if (n > UINT32_MAX)
        return CTI_EINVAL;
    if (b->len == 0 && cti_posblob_reset(b) != CTI_OK)
        return CTI_ENOMEM;
    /* 5 bytes for the count, at most 5 for each delta. */
    if (n > (SIZE_MAX - 5) / 5 || reserve(b, 5 + 5 * n) != CTI_OK)
        return CTI_ENOMEM;
    b->len += put_varint(b->data + b->len, n);
    uint32_t prev = 0;
    for (size_t i = 0; i < n; i++) {
        b->len += put_varint(b->data + b->len, pos[i] - prev);
        prev = pos[i];
    }
    return CTI_OK;
}

cti_status cti_posreader_init(cti_posreader *r, const void *blob, size_t len)
{
    r->p = blob;
    r->end = r->p + len;
    if (!blob || len == 0 || r->p[0] != CTI_POSITIONS_VERSION) {
        r->p = r->end;
        return CTI_ECORRUPT;
    }
    r->p++;
    return CTI_OK;
}

/* Read one varint of at most 32 bits into *v. */
static cti_status get_varint(cti_posreader *r, uint32_t *v)
{
    uint64_t x = 0;
    for (unsigned shift = 0; shift < 35; shift += 7) {
        if (r->p == r->end)
            return CTI_ECORRUPT;
        unsigned char c = *r->p++;
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

cti_status cti_posreader_count(cti_posreader *r, size_t *n)
{
    uint32_t c;
    if (r->p == r->end)
        return CTI_DONE;
    if (get_varint(r, &c) != CTI_OK || c > (size_t)(r->end - r->p))
        return CTI_ECORRUPT;
    *n = c;
    return CTI_OK;
}

cti_status cti_posreader_read(cti_posreader *r, uint32_t *out, size_t n)
{
    uint64_t pos = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t d;
        if (get_varint(r, &d) != CTI_OK || (i > 0 && d == 0))
            return CTI_ECORRUPT;
        pos += d;
        if (pos > UINT32_MAX)
            return CTI_ECORRUPT;
        out[i] = (uint32_t)pos;
    }
    return CTI_OK;
}

cti_status cti_posreader_skip(cti_posreader *r, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const unsigned char *p = r->p;
        size_t k = 0;
        while (p + k < r->end && (p[k] & 0x80) && k < 5)
            k++;
        if (p + k == r->end || k == 5)
            return CTI_ECORRUPT;
        r->p = p + k + 1;
    }
    return CTI_OK;
}
