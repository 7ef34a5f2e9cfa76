/*
 * cti_asset.c - looking up a built-in file by its URL path.
 */
#include <string.h>

#include "cti_asset.h"

const cti_asset *cti_asset_find(const char *path)
{
    for (size_t i = 0; i < cti_nassets; i++)
        if (!strcmp(cti_assets[i].path, path))
            return &cti_assets[i];
    return NULL;
}
