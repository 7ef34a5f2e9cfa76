/*
 * cti_json.h - JSON files (.json): one article, a list of articles, or an
 * API response wrapping a list.
 *
 * The file may hold:
 *   - one object: one article ({"title": ..., "text": ...});
 *   - an array of objects: one article each;
 *   - an object wrapping an array of objects under "articles", "data",
 *     "results", "items", "posts", "stories", "entries" or "documents"
 *     (NewsAPI, most REST APIs), also one level down
 *     ({"response": {"results": [...]}}, as the Guardian's API);
 *   - several of these one after the other (JSON lines saved as .json).
 * Fields are named as cti_fields.h says.  Anything else at the top (a
 * string, a number) is an error naming the file; an array element that is
 * not an object, or a record without text, is an error naming its line,
 * and the other records are still read.  Invalid JSON stops the file at
 * that point (with its line and column): what came before is kept.
 *
 * Memory: the arrays of articles (at the top, or under a wrapper key of
 * the top object) are read one element at a time, so only one article is
 * held as a JSON tree at once, however long the file.
 */
#ifndef CTI_JSON_H
#define CTI_JSON_H

#include <stddef.h>

#include "cti_fields.h"

/*
 * Read the JSON file data[0, len) (valid UTF-8, a byte order mark
 * allowed) and hand each article to sink->article (with a->line set) and
 * each problem to sink->bad.  'scope' is the file's id, for the ids of
 * records that have none (cti_fields_emit()).  *count (may be NULL) gets
 * the number of articles handed over.  Returns CTI_OK (also when the
 * sink asked to stop), or CTI_ENOMEM.
 */
cti_status cti_json_read(const char *data, size_t len, const cti_fields *f,
                         const char *scope, const cti_record_sink *sink,
                         size_t *count);

#endif /* CTI_JSON_H */
