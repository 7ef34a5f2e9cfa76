/*
 * cti_distance.c - edit distance between two words.
 */
#include <limits.h>

#include "cti_distance.h"

unsigned cti_edit_distance(const char *a, size_t la, const char *b, size_t lb,
                           unsigned max)
{
    if (la > 62 || lb > 62)
        return max + 1;
    if ((la > lb ? la - lb : lb - la) > max)
        return max + 1;
    unsigned d[64][64];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = (unsigned)i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = (unsigned)j;
    for (size_t i = 1; i <= la; i++) {
        unsigned rowmin = UINT_MAX;
        for (size_t j = 1; j <= lb; j++) {
            unsigned c = a[i - 1] == b[j - 1] ? 0 : 1;
            unsigned v = d[i - 1][j - 1] + c;
            if (d[i - 1][j] + 1 < v)
                v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
            if (v < rowmin)
                rowmin = v;
        }
        if (rowmin > max)
            return max + 1;
    }
    return d[la][lb];
}
