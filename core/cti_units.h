/*
 * cti_units.h - numbers as people read them: sizes, durations, rates and
 * counts of things, in the unit that fits.
 *
 * Sizes are decimal (1 KB = 1,000 bytes, 1 MB = 1,000,000 bytes), as
 * disks and network rates are counted.  Each function writes into the
 * caller's buffer (at least CTI_UNITS_LEN bytes) and returns it.
 */
#ifndef CTI_UNITS_H
#define CTI_UNITS_H

#include <stddef.h>
#include <stdint.h>

#define CTI_UNITS_LEN 48

/* "0 bytes", "1 byte", "512 bytes", "14.3 KB", "512 KB", "1.2 MB", "3.4 GB". */
const char *cti_units_size(uint64_t bytes, char *buf, size_t len);

/* "0.4 ms", "18 ms", "1.25 s", "42.0 s", "3 min 5 s", "2 h 3 min". */
const char *cti_units_duration(double seconds, char *buf, size_t len);

/* A rate of 'bytes' per second: "850 KB/s", "10.2 MB/s". */
const char *cti_units_rate(double bytes_per_s, char *buf, size_t len);

/* n and the noun that goes with it, thousands separated: "1 article",
   "12,034 articles" ('one' for 1, 'many' otherwise). */
const char *cti_units_count(uint64_t n, const char *one, const char *many,
                            char *buf, size_t len);

/* n with thousands separators: "12,034". */
const char *cti_units_thousands(uint64_t n, char *buf, size_t len);

#endif /* CTI_UNITS_H */
