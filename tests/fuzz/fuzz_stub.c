/*
 * fuzz_stub.c - libFuzzer harness for reading an index's stub (XAPIANDB):
 * the shard layout parser behind every --db argument.
 *
 * A stub is a file on disk that anyone can edit.  The first input byte
 * picks how it is met (even: a stub file given as --db; odd: DIR/XAPIANDB
 * of an index folder); the rest is its content.  Whatever the bytes, the
 * layout is refused with a message and left empty, or lists at most
 * CTI_SHARD_MAX shards, each with a label and a path or a host.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cti_shard.h"
#include "fuzz_util.h"

static char stub_dir[64];

__attribute__((unused)) static void stub_teardown(void)
{
    char p[128];
    if (!stub_dir[0])
        return;
    snprintf(p, sizeof p, "%s/XAPIANDB", stub_dir);
    unlink(p);
    snprintf(p, sizeof p, "%s/stub", stub_dir);
    unlink(p);
    rmdir(stub_dir);
    stub_dir[0] = '\0';
}

static void stub_write(const char *path, const uint8_t *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    if (size && fwrite(data, 1, size, f) != size)
        abort();
    if (fclose(f) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!stub_dir[0]) {
        strcpy(stub_dir, "/tmp/cti-fuzz-stub.XXXXXX");
        if (!mkdtemp(stub_dir))
            abort();
        atexit(stub_teardown);
    }
    if (size == 0)
        return 0;
    char path[128], err[256];
    int folder = data[0] & 1;
    if (folder) {
        snprintf(path, sizeof path, "%s/XAPIANDB", stub_dir);
        stub_write(path, data + 1, size - 1);
        snprintf(path, sizeof path, "%s", stub_dir);
    } else {
        snprintf(path, sizeof path, "%s/stub", stub_dir);
        stub_write(path, data + 1, size - 1);
    }
    cti_shard_layout l;
    memset(&l, 0x5a, sizeof l);
    err[0] = '\0';
    cti_status st = cti_shard_layout_read(path, &l, err, sizeof err);
    if (st != CTI_OK) {
        FUZZ_CHECK(err[0] != '\0');
        FUZZ_CHECK(memchr(err, '\0', sizeof err) != NULL);
        FUZZ_CHECK(l.n == 0 && l.t == NULL);
        cti_shard_layout_free(&l);
        return 0;
    }
    FUZZ_CHECK(l.n <= CTI_SHARD_MAX);
    FUZZ_CHECK(l.n == 0 || l.t != NULL);
    for (unsigned i = 0; i < l.n; i++) {
        FUZZ_CHECK(l.t[i].label != NULL);
        FUZZ_CHECK(l.t[i].path != NULL || l.t[i].host != NULL);
        if (l.t[i].host)
            FUZZ_CHECK(l.t[i].port <= 65535);
    }
    cti_shard_layout_free(&l);
    return 0;
}
