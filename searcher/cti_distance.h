/*
 * cti_distance.h - how far apart two words are, for "did you mean".
 */
#ifndef CTI_DISTANCE_H
#define CTI_DISTANCE_H

#include <stddef.h>

/*
 * The optimal string alignment distance between a (la bytes) and b (lb
 * bytes): insertions, deletions, substitutions and swaps of two adjacent
 * bytes, each 1.  Returns max + 1 as soon as the distance must exceed
 * 'max', and for words longer than 62 bytes.
 */
unsigned cti_edit_distance(const char *a, size_t la, const char *b, size_t lb,
                           unsigned max);

#endif /* CTI_DISTANCE_H */
