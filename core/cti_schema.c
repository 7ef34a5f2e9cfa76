/*
 * cti_schema.c - the parts of the index layout that are computed.
 */
#include <inttypes.h>
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

const char *cti_schema_sync_id(const char *v, size_t vlen, size_t *len)
{
    const char *p = v, *end = v + vlen;
    int fields;
    if (vlen < 3 || v[1] != ' ')
        return NULL;
    if (v[0] == 'j')
        fields = 0;
    else if (v[0] == 'f')
        fields = 2; /* size and mtime before the id */
    else
        return NULL;
    p += 2;
    for (; fields > 0; fields--) {
        const char *sp = memchr(p, ' ', (size_t)(end - p));
        if (!sp)
            return NULL;
        p = sp + 1;
    }
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
