/*
 * cti_jansson.c - parsing JSON with jansson, out-of-memory included.
 *
 * jansson takes one pair of allocation functions for the whole process
 * (json_set_alloc_funcs()); they are set once, before the first parse,
 * to malloc and free with a per-thread count of failed allocations.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cti_jansson.h"

static _Thread_local unsigned long failures;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void *counted_malloc(size_t n)
{
    void *p = malloc(n);
    if (!p)
        failures++;
    return p;
}

static void set_funcs(void)
{
    json_set_alloc_funcs(counted_malloc, free);
}

json_t *cti_jansson_load(const char *data, size_t len, size_t flags,
                         json_error_t *e)
{
    json_error_t local;
    if (!e)
        e = &local;
    pthread_once(&once, set_funcs);
    unsigned long before = failures;
    json_t *v = json_loadb(data, len, flags, e);
    if (failures != before) {
        json_decref(v);
        memset(e, 0, sizeof *e);
        strcpy(e->text, "out of memory");
        e->text[JSON_ERROR_TEXT_LENGTH - 1] = (char)json_error_out_of_memory;
        return NULL;
    }
    return v;
}

int cti_jansson_nomem(const json_error_t *e)
{
    return json_error_code(e) == json_error_out_of_memory;
}
