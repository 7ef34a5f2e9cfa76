/*
 * cti_units.c - sizes, durations, rates and counts in units that fit.
 */
#include <stdio.h>

#include "cti_units.h"

/* 'v' of a unit whose name is 'unit': one decimal below 100, none above. */
static const char *scaled(double v, const char *unit, char *buf, size_t len)
{
    snprintf(buf, len, v < 99.95 ? "%.1f %s" : "%.0f %s", v, unit);
    return buf;
}

const char *cti_units_size(uint64_t bytes, char *buf, size_t len)
{
    static const char *const units[] = { "KB", "MB", "GB", "TB", "PB" };
    if (bytes < 1000) {
        snprintf(buf, len, "%u byte%s", (unsigned)bytes, bytes == 1 ? "" : "s");
        return buf;
    }
    double v = (double)bytes / 1000;
    size_t u = 0;
    while (v >= 999.5 && u + 1 < sizeof units / sizeof units[0]) {
        v /= 1000;
        u++;
    }
    return scaled(v, units[u], buf, len);
}

const char *cti_units_duration(double s, char *buf, size_t len)
{
    if (s < 0)
        s = 0;
    if (s < 0.00995)
        snprintf(buf, len, "%.1f ms", s * 1e3);
    else if (s < 0.9995)
        snprintf(buf, len, "%.0f ms", s * 1e3);
    else if (s < 9.995)
        snprintf(buf, len, "%.2f s", s);
    else if (s < 59.95)
        snprintf(buf, len, "%.1f s", s);
    else if (s < 3600) {
        unsigned t = (unsigned)(s + 0.5);
        snprintf(buf, len, "%u min %u s", t / 60, t % 60);
    } else {
        unsigned long t = (unsigned long)(s / 60 + 0.5);
        snprintf(buf, len, "%lu h %lu min", t / 60, t % 60);
    }
    return buf;
}

const char *cti_units_rate(double bps, char *buf, size_t len)
{
    char size[CTI_UNITS_LEN];
    if (bps < 0)
        bps = 0;
    if (bps < 1000)
        snprintf(size, sizeof size, "%.0f bytes", bps);
    else
        cti_units_size((uint64_t)(bps + 0.5), size, sizeof size);
    snprintf(buf, len, "%s/s", size);
    return buf;
}

const char *cti_units_thousands(uint64_t n, char *buf, size_t len)
{
    char tmp[24];
    int k = snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)n);
    size_t j = 0;
    for (int i = 0; i < k && j + 2 < len; i++) {
        if (i && (k - i) % 3 == 0)
            buf[j++] = ',';
        buf[j++] = tmp[i];
    }
    if (len)
        buf[j < len ? j : len - 1] = '\0';
    return buf;
}

const char *cti_units_count(uint64_t n, const char *one, const char *many,
                            char *buf, size_t len)
{
    char num[32];
    snprintf(buf, len, "%s %s", cti_units_thousands(n, num, sizeof num),
             n == 1 ? one : many);
    return buf;
}
