/*
 * cti_csv.h - CSV and TSV files with a header row: one article per row.
 *
 * The first row names the columns; each later row is a record whose
 * fields are named by them, read as cti_fields.h says (so a column
 * "headline" is the title, "publishedAt" the date).  Quoting follows RFC
 * 4180: a field in double quotes may hold the delimiter, line breaks and
 * doubled quotes ("").  Lines may end in CRLF or LF; blank lines are
 * skipped.  Parsing is libcsv's, in its strict mode.
 *
 * Delimiter: a tab for TSV; for CSV a comma, or a semicolon when the
 * header line holds more semicolons than commas (as spreadsheets write
 * CSV where the comma is the decimal mark).
 *
 * A malformed row (a stray quote in an unquoted field, text after a
 * closing quote, a quoted field never closed, fewer fields than the
 * header) is an error naming the line where the row starts; reading goes
 * on with the next line.  Extra empty fields at the end of a row are
 * ignored.  A header that names no column for the text is one error for
 * the whole file.
 */
#ifndef CTI_CSV_H
#define CTI_CSV_H

#include <stddef.h>

#include "cti_fields.h"

/*
 * Read data[0, len) (valid UTF-8, a byte order mark allowed) as CSV
 * ('tsv' 0) or TSV ('tsv' 1), handing each row's article to
 * sink->article (a->line: the line where the row starts) and each
 * problem to sink->bad.  'scope' is the file's id, for the ids of rows
 * that have none (cti_fields_emit()).  *count (may be NULL) gets the
 * number of articles handed over.  Returns 0 (also when the sink asked to
 * stop), or CTI_ENOMEM.
 */
cti_status cti_csv_read(const char *data, size_t len, int tsv, const cti_fields *f,
                        const char *scope, const cti_record_sink *sink,
                        size_t *count);

#endif /* CTI_CSV_H */
