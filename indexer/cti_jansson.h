/*
 * cti_jansson.h - parsing JSON with jansson, out-of-memory included.
 *
 * jansson's lexer drops a character when its string buffer cannot grow
 * and goes on parsing, so a parse can succeed with a wrong value after a
 * failed allocation.  Every JSON text cti-index reads is parsed here:
 * jansson's allocations go through a counter, and a parse during which
 * one failed is turned into an out-of-memory error.
 */
#ifndef CTI_JANSSON_H
#define CTI_JANSSON_H

#include <stddef.h>
#include <jansson.h>

/*
 * json_loadb(data, len, flags, e) (e may be NULL), except that when any
 * allocation failed during the parse it returns NULL with
 * json_error_code(e) == json_error_out_of_memory and e->text "out of
 * memory".  Safe to call from several threads at once.
 */
json_t *cti_jansson_load(const char *data, size_t len, size_t flags,
                         json_error_t *e);

/* 1 if 'e' (filled by cti_jansson_load()) says memory ran out. */
int cti_jansson_nomem(const json_error_t *e);

#endif /* CTI_JANSSON_H */
