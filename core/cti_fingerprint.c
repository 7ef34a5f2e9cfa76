/*
 * cti_fingerprint.c - MinHash fingerprints of word shingles.
 *
 * Each stem is hashed (FNV-1a 64, then a finaliser); a shingle's hash
 * mixes the hashes of its CTI_FINGERPRINT_SHINGLE stems in order.  The top
 * 6 bits of a shingle hash choose its bin, the low 32 bits compete for the
 * bin's minimum (one-permutation hashing, Li, Owen and Zhang 2012).  An
 * empty bin takes the minimum of the next filled bin to its right,
 * rehashed with the distance (rotation densification, Shrivastava and Li
 * 2014), so that two articles with the same shingles always agree.  The
 * signature keeps the low 16 bits of each bin (b-bit MinHash): two bins
 * agree by chance once in 65,536.  The index stores the low 8 bits
 * (cti_fingerprint_encode()), with which bins that differ agree by
 * chance once in 256: about a fifth of a bin of 64 for a pair near the
 * copy threshold.  That chance is left in the estimate rather than taken
 * out: taken out, a pair with exactly 16 bins of 64 in common falls just
 * below the threshold of 0.25 and the copies found by the index and by
 * one run's own table (which keeps the 16 bits) would differ.  Measured on
 * bench/dupset (bench/cleaneval dups): precision 0.9986 either way, recall
 * 0.6072 with the stored byte against 0.6039 with the 16 bits.
 */
#include "cti_fingerprint.h"
#include "cti_hash.h"

#include <string.h>

void cti_fingerprint_begin(cti_fingerprint_builder *f)
{
    f->nwords = 0;
    f->shingles = 0;
    f->filled = 0;
    for (unsigned i = 0; i < CTI_FINGERPRINT_BINS; i++)
        f->bin[i] = UINT32_MAX;
}

void cti_fingerprint_add(cti_fingerprint_builder *f, const char *stem,
                         size_t len)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)stem[i];
        h *= 0x100000001b3ull;
    }
    for (unsigned i = 0; i + 1 < CTI_FINGERPRINT_SHINGLE; i++)
        f->win[i] = f->win[i + 1];
    f->win[CTI_FINGERPRINT_SHINGLE - 1] = cti_hash_mix64(h);
    if (++f->nwords < CTI_FINGERPRINT_SHINGLE)
        return;
    uint64_t s = 0x736869676c65ull; /* "shingle" */
    for (unsigned i = 0; i < CTI_FINGERPRINT_SHINGLE; i++)
        s = (s ^ f->win[i]) * 0x9E3779B97F4A7C15ull;
    s = cti_hash_mix64(s);
    unsigned b = (unsigned)(s >> 58);
    uint32_t v = (uint32_t)s;
    if (v < f->bin[b])
        f->bin[b] = v;
    f->filled |= 1ull << b;
    f->shingles++;
}

int cti_fingerprint_end(cti_fingerprint_builder *f, cti_fingerprint *out)
{
    if (f->shingles < CTI_FINGERPRINT_MIN_SHINGLES || !f->filled)
        return -1;
    for (unsigned i = 0; i < CTI_FINGERPRINT_BINS; i++) {
        uint64_t v;
        if (f->filled >> i & 1) {
            v = f->bin[i];
        } else {
            unsigned d = 1;
            while (!(f->filled >> ((i + d) % CTI_FINGERPRINT_BINS) & 1))
                d++;
            v = cti_hash_mix64(f->bin[(i + d) % CTI_FINGERPRINT_BINS] ^
                       (uint64_t)d << 40);
        }
        out->v[i] = (uint16_t)v;
    }
    out->narrow = 0;
    return 0;
}

double cti_fingerprint_similarity(const cti_fingerprint *a,
                                  const cti_fingerprint *b)
{
    unsigned same = 0;
    uint16_t mask = a->narrow || b->narrow ? 0xff : 0xffff;
    for (unsigned i = 0; i < CTI_FINGERPRINT_BINS; i++)
        same += ((a->v[i] ^ b->v[i]) & mask) == 0;
    return (double)same / CTI_FINGERPRINT_BINS;
}

void cti_fingerprint_encode(const cti_fingerprint *f,
                            char out[CTI_FINGERPRINT_BYTES])
{
    for (unsigned i = 0; i < CTI_FINGERPRINT_BINS; i++)
        out[i] = (char)(f->v[i] & 0xff);
}

int cti_fingerprint_decode(const char *s, size_t len, cti_fingerprint *out)
{
    const unsigned char *p = (const unsigned char *)s;
    if (len == CTI_FINGERPRINT_BYTES) {
        for (unsigned i = 0; i < CTI_FINGERPRINT_BINS; i++)
            out->v[i] = p[i];
        out->narrow = 1;
        return 0;
    }
    if (len != CTI_FINGERPRINT_BYTES_WIDE)
        return -1;
    for (unsigned i = 0; i < CTI_FINGERPRINT_BINS; i++)
        out->v[i] = (uint16_t)(p[2 * i] << 8 | p[2 * i + 1]);
    out->narrow = 0;
    return 0;
}

uint64_t cti_fingerprint_band(const cti_fingerprint *f, unsigned band)
{
    uint64_t h = 0x62616e64ull + band; /* "band" */
    for (unsigned r = 0; r < CTI_FINGERPRINT_ROWS; r++)
        h = cti_hash_mix64(h ^ f->v[band * CTI_FINGERPRINT_ROWS + r]);
    return h & 0xffffffffffull;
}

size_t cti_fingerprint_band_term(const cti_fingerprint *f, unsigned band,
                                 int wide, char buf[CTI_FINGERPRINT_TERM_MAX])
{
    /* The band's values themselves, not a hash of them: as short as the
       term can be.  A band term is often an item of its own in the
       posting and term lists, where every byte of its name is stored
       twice. */
    static const char hex[] = "0123456789abcdef";
    _Static_assert(CTI_FINGERPRINT_BANDS <= 16, "one hex digit per band");
    size_t o = 0;
    for (const char *p = CTI_PREFIX_BAND; *p; p++)
        buf[o++] = *p;
    buf[o++] = hex[band & 15];
    for (unsigned r = 0; r < CTI_FINGERPRINT_ROWS; r++) {
        uint16_t v = f->v[band * CTI_FINGERPRINT_ROWS + r];
        for (int i = 3; i >= (wide ? 0 : 1); i--)
            buf[o++] = hex[v >> (4 * i) & 15];
    }
    buf[o] = '\0';
    return o;
}
