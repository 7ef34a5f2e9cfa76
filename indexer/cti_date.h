/*
 * cti_date.h - reading the dates articles are written with.
 *
 * cti_date_read() turns a date as written into "YYYYMMDD", the form the
 * index keeps (unknown month or day: "00"), trying each way news writes
 * dates in turn:
 *
 *   Unix time     "1514764800" (9 or 10 digits: seconds), "1514764800123"
 *                 (11 to 13 digits: milliseconds), UTC
 *   ISO 8601      "2024", "2024-07", "2024-07-15", "2024/07/15",
 *                 "20171226", each with a time and zone or not
 *                 ("2024-07-15T10:00:00.000+02:00", "2024-07-15 10:00 UTC")
 *   numeric       "14/02/2005", "12/28/2017", "03/04/2005", "14.02.2005",
 *                 "2-14-05", with a time or not
 *   words         "February 14th, 2025", "14 February 2005", "Feb 2025",
 *                 "Tue, 26 Feb 1987 15:01:01 +0000" (RFC 2822),
 *                 "26-FEB-1987 15:01:01.79", "31-Dec-17",
 *                 "Tue Feb 26 15:01:01 1987" (asctime)
 *
 * The date is the one written, in the writer's time zone: a time and a
 * zone are checked for form, not used to move the date.  A day and month
 * that could be either way round ("03/04/2005") follow 'order'; with dots
 * ("03.04.2005") the day comes first, as where dots are written.  A year
 * of two digits is read as POSIX strptime's %y reads it: 69 to 99 are
 * 1969 to 1999, 00 to 68 are 2000 to 2068.
 */
#ifndef CTI_DATE_H
#define CTI_DATE_H

/* Which of two numbers up to 12 is the day in "03/04/2005". */
typedef enum cti_date_order {
    CTI_DATE_MDY = 0,   /* month first, as in the United States (default) */
    CTI_DATE_DMY = 1    /* day first, as in most of the world */
} cti_date_order;

/* Bits of *flags from cti_date_read(). */
#define CTI_DATE_AMBIGUOUS 1u  /* day and month could be swapped: 'order' chose */

/*
 * Read the date 'text' (NUL-terminated; white space around it ignored)
 * into out ("YYYYMMDD" and a NUL: 9 bytes).  'flags' may be NULL; else it
 * receives CTI_DATE_* bits.  Returns 0, or -1 when 'text' is NULL or not a
 * date in any of the forms above (out is then unspecified).
 */
int cti_date_read(const char *text, cti_date_order order, char out[9],
                  unsigned *flags);

/* cti_date_read() with CTI_DATE_MDY and no flags. */
int cti_date_normalize(const char *date, char out[9]);

/*
 * Parse a --date-order value, "mdy" or "dmy" (any letter case), into
 * *out.  Returns 0, or -1 for anything else.
 */
int cti_date_order_parse(const char *s, cti_date_order *out);

#endif /* CTI_DATE_H */
