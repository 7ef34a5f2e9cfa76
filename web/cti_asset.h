/*
 * cti_asset.h - the files cti-web serves: web/assets/, built into the
 * program (web/embed.sh), so nothing on disk is ever read for a request.
 */
#ifndef CTI_ASSET_H
#define CTI_ASSET_H

#include <stddef.h>

typedef struct cti_asset {
    const char *path;          /* "/assets/style.css" */
    const char *type;          /* its Content-Type */
    const unsigned char *data;
    size_t len;
} cti_asset;

/* The table web/embed.sh generates. */
extern const cti_asset cti_assets[];
extern const size_t cti_nassets;

/* The asset served at exactly 'path', or NULL. */
const cti_asset *cti_asset_find(const char *path);

#endif /* CTI_ASSET_H */
