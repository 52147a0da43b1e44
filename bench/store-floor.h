/* What the file store's check of an unknown identifier asks of the kernel, in C and nothing else: the same calls
 * in the same order as FileStore.check (the shard's lock, a link to the record, a read through it, a record-sized
 * temp file renamed over it, the link removed), on a store of its own under OTP_STORE_DIR, and the service's log
 * line. A responder that runs this per request is the floor a verify of the file store can reach: what
 * is left above it is ours. It waits for a held lock where the store tries again after a pause. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

/* The setting the floor reads its store from. */
#define STORE_FLOOR_SETTING "OTP_STORE_DIR"

#include "floor-line.h"

static int floor_shards[256];
static unsigned long floor_count;

static int floor_shard(const char *store, unsigned shard) {
    if (floor_shards[shard] > 0) return floor_shards[shard];
    char path[4096];
    snprintf(path, sizeof path, "%s/floor", store);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/floor/%02x", store, shard);
    mkdir(path, 0700);
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) close(openat(fd, "lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600));
    return floor_shards[shard] = fd;
}

/* Returns 0 when every call did what the store's would. */
static int store_floor(const char *store) {
    if (!store) return -1;
    unsigned char random[32];
    if (getrandom(random, sizeof random, 0) != (ssize_t)sizeof random) return -1;
    char name[65], link_name[64], temp[64];
    for (int i = 0; i < 31; i++) snprintf(name + 2 * i, 3, "%02x", random[i + 1]);
    snprintf(link_name, sizeof link_name, ".tmp.%d.%lu", getpid(), ++floor_count);
    snprintf(temp, sizeof temp, ".tmp.%d.%lu", getpid(), ++floor_count);
    int shard = floor_shard(store, random[0]);
    if (shard < 0) return -1;
    int lock = openat(shard, "lock", O_RDWR | O_CLOEXEC | O_NOFOLLOW);
    struct stat held, named;
    if (lock < 0 || flock(lock, LOCK_EX) != 0 || fstat(lock, &held) != 0
        || fstatat(shard, "lock", &named, AT_SYMLINK_NOFOLLOW) != 0) return -1;
    linkat(shard, name, shard, link_name, 0); /* no record: ENOENT, as for an unknown identifier */
    char record[512];
    int fd = openat(shard, link_name, O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0 || read(fd, record, sizeof record) < 0) return -1;
    close(fd);
    static const char stand_in[] = "otp3 0000000000000000000000000000000000000000000000000000000000000000 0 0 0 7a5463a0aaeaaebc\n";
    fd = openat(shard, temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    struct timespec times[2] = {{0, UTIME_OMIT}, {0, 0}};
    if (fd < 0 || write(fd, stand_in, sizeof stand_in - 1) != (ssize_t)(sizeof stand_in - 1) || futimens(fd, times) != 0) return -1;
    close(fd);
    if (renameat(shard, temp, shard, link_name) != 0) return -1;
    unlinkat(shard, link_name, 0);
    close(lock);
    return 0;
}
