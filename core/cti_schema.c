/*
 * cti_schema.c - the parts of the index layout that are computed.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cti_schema.h"
#include "cti_shard.h"

size_t cti_schema_idterm(const char *id, size_t len, char *buf)
{
    size_t plen = strlen(CTI_PREFIX_ID);
    memcpy(buf, CTI_PREFIX_ID, plen);
    if (plen + len <= CTI_IDTERM_MAX) {
        memcpy(buf + plen, id, len);
        buf[plen + len] = '\0';
        return plen + len;
    }
    /* Keep a readable head, then '#' and the hash of the whole id. */
    size_t head = CTI_IDTERM_MAX - plen - 17;
    memcpy(buf + plen, id, head);
    snprintf(buf + plen + head, 18, "#%016" PRIx64, cti_shard_hash(id, len));
    return CTI_IDTERM_MAX;
}

/* Step past one space-ended field of p[0, end); NULL when there is none. */
static const char *skip_field(const char *p, const char *end)
{
    const char *sp = memchr(p, ' ', (size_t)(end - p));
    return sp ? sp + 1 : NULL;
}

/* Step past "<clen> <container> " of a record line; NULL when malformed. */
static const char *skip_container(const char *p, const char *end)
{
    size_t clen = 0;
    const char *q = p;
    while (q < end && *q >= '0' && *q <= '9' && clen < SIZE_MAX / 16)
        clen = clen * 10 + (size_t)(*q++ - '0');
    if (q == p || q >= end || *q != ' ')
        return NULL;
    q++;
    if (clen >= (size_t)(end - q) || q[clen] != ' ')
        return NULL;
    return q + clen + 1;
}

const char *cti_schema_sync_id(const char *v, size_t vlen, size_t *len)
{
    const char *p = v + 2, *end = v + vlen;
    if (vlen < 3 || v[1] != ' ')
        return NULL;
    switch (v[0]) {
    case 'j': /* "j <id>" */
        break;
    case 'f': /* "f <size> <mtime_ns> <id>" */
        if (!(p = skip_field(p, end)) || !(p = skip_field(p, end)))
            return NULL;
        break;
    case 'r': /* "r <flags> <clen> <container> <id>" */
        if (!(p = skip_field(p, end)) || !(p = skip_container(p, end)))
            return NULL;
        break;
    default:
        return NULL;
    }
    if (p >= end)
        return NULL;
    *len = (size_t)(end - p);
    return p;
}

void cti_schema_iso_date(const char *v, size_t len, char out[11])
{
    out[0] = '\0';
    if (!v || len != 8)
        return;
    for (size_t i = 0; i < 8; i++)
        if (v[i] < '0' || v[i] > '9')
            return;
    if (memcmp(v + 4, "00", 2) == 0)
        snprintf(out, 11, "%.4s", v);
    else if (memcmp(v + 6, "00", 2) == 0)
        snprintf(out, 11, "%.4s-%.2s", v, v + 4);
    else
        snprintf(out, 11, "%.4s-%.2s-%.2s", v, v + 4, v + 6);
}
