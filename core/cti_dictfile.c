/*
 * cti_dictfile.c - the texts' dictionary as a file beside the index
 * (see cti_dictfile.h).
 */
#include "cti_dictfile.h"

#include "cti_path.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define NAME_SIZE 32

/* The file name of dictionary 'id' into name (NAME_SIZE bytes). */
static void file_name(uint32_t id, char *name)
{
    snprintf(name, NAME_SIZE, CTI_DICTFILE_PREFIX "%08x", (unsigned)id);
}

cti_status cti_dictfile_save(const char *dir, uint32_t id, const void *bytes,
                             size_t len)
{
    char name[NAME_SIZE];
    const char *have;
    size_t hlen;
    int same = 0;
    if (cti_dictfile_map(dir, id, &have, &hlen) == CTI_OK) {
        same = hlen == len && memcmp(have, bytes, len) == 0;
        cti_dictfile_unmap(have, hlen);
    }
    if (same)
        return CTI_OK;
    file_name(id, name);
    return cti_path_write_atomic_bytes(dir, name, bytes, len);
}

cti_status cti_dictfile_map(const char *dir, uint32_t id, const char **bytes,
                            size_t *len)
{
    char name[NAME_SIZE];
    struct stat sb;
    *bytes = NULL;
    *len = 0;
    file_name(id, name);
    char *path = cti_path_join(dir, name);
    if (!path)
        return CTI_ENOTFOUND;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    free(path);
    if (fd < 0)
        return CTI_ENOTFOUND;
    void *p = MAP_FAILED;
    if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0 &&
        (uint64_t)sb.st_size <= CTI_DICTFILE_MAX)
        p = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (p == MAP_FAILED)
        return CTI_ENOTFOUND;
    *bytes = p;
    *len = (size_t)sb.st_size;
    return CTI_OK;
}

void cti_dictfile_unmap(const char *bytes, size_t len)
{
    if (bytes)
        munmap((void *)bytes, len);
}
