/*
 * cti_hash.h - the 64-bit mixing step the hashes of cti share.
 *
 * Content hashes (cti_article_hash()), template line terms, copy
 * clusters and MinHash fingerprints all end in the same avalanche, so
 * that every input bit moves about half of the output bits.
 */
#ifndef CTI_HASH_H
#define CTI_HASH_H

#include <stdint.h>

/* The MurmurHash3 finaliser (fmix64) of 'h': a bijection on 64 bits. */
static inline uint64_t cti_hash_mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
}

#endif /* CTI_HASH_H */
