/*
 * cti_dictfile.c - the texts' dictionary as a file beside the index
 * (see cti_dictfile.h).
 */
#include "cti_dictfile.h"

#include "cti_path.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define NAME_SIZE 32

/* The file of dictionary 'id': its name into name (NAME_SIZE bytes), and
   its path in 'dir' (free(); NULL when out of memory). */
static char *file_path(const char *dir, uint32_t id, char *name)
{
    snprintf(name, NAME_SIZE, CTI_DICTFILE_PREFIX "%08x", (unsigned)id);
    return cti_path_join(dir, name);
}

cti_status cti_dictfile_save(const char *dir, uint32_t id, const void *bytes,
                             size_t len)
{
    char name[NAME_SIZE];
    struct stat sb;
    char *path = file_path(dir, id, name);
    if (!path)
        return CTI_ENOMEM;
    int have = stat(path, &sb) == 0 && S_ISREG(sb.st_mode) &&
               (size_t)sb.st_size == len;
    free(path);
    return have ? CTI_OK : cti_path_write_atomic_bytes(dir, name, bytes, len);
}

cti_status cti_dictfile_map(const char *dir, uint32_t id, const char **bytes,
                            size_t *len)
{
    char name[NAME_SIZE];
    struct stat sb;
    *bytes = NULL;
    *len = 0;
    char *path = file_path(dir, id, name);
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
