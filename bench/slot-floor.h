/* What the slot-table file store's check of an unknown identifier asks of the kernel, in C and nothing else: the same
 * calls in the same order as FileStore.check on SlotTables (the store directory opened once, the shard's lock file
 * opened once and locked, its name checked to lead to the locked inode, the shard's table opened once, one bucket
 * (two pages) read, one slot written back as it was, the lock released), on tables of its own under OTP_STORE_DIR, and the
 * service's log line. A process keeps its descriptors, as the store does, so a FastCGI responder repeats only the
 * lock, the name checks, the read and the write. The floor a verify of the file store can reach: what is left
 * above it is ours. It waits for a held lock where the store tries again after a pause.
 * -DFLOOR_SYNC: the slot written back waits for the disk (`fdatasync` of the table) before the lock is released, as a
 * verify that uses a code up does (OTP_STORE_SYNC=used): the floor of verify-right.
 * -DFLOOR_OUTBOX: after the lock, a message file is written in <store>/floor-outbox as the filebased email backend
 * writes one (a temp name made with O_EXCL, the bytes, then a rename; the directory made when missing): the floor of
 * generate, whose issue makes the same store calls as a check. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The setting the floor reads its store from. */
#define STORE_FLOOR_SETTING "OTP_STORE_DIR"

#include "floor-line.h"

static int slot_root = -1;
static int slot_locks[256], slot_tables[256];
static ino_t slot_lock_inodes[256], slot_table_inodes[256];
static long slot_buckets[256];

/* The store directory, kept open; made on first use. */
static int slot_floor_root(const char *store) {
    if (slot_root >= 0) return slot_root;
    char path[4096];
    snprintf(path, sizeof path, "%s/slot-floor", store);
    slot_root = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (slot_root < 0 && errno == ENOENT) {
        mkdir(path, 0700);
        slot_root = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    }
    struct stat info;
    if (slot_root < 0 || fstat(slot_root, &info) != 0) return -1;
    for (int i = 0; i < 256; i++) slot_locks[i] = slot_tables[i] = -1;
    return slot_root;
}

#ifdef FLOOR_OUTBOX
/* About as long as the service's message to an email address, whose size it shares. */
static const char floor_message[] =
    "From: webmaster@localhost\r\nTo: m1@bench.example\r\nSubject: Your verification code\r\n"
    "Date: Sun, 06 Dec 2026 05:25:34 +0000\r\nMessage-ID: <0123456789abcdef0123456789abcdef@localhost>\r\n"
    "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
    "Your verification code is: 123456\r\n";

static int floor_outbox(const char *store) {
    char directory[4096], base[64], temp[4200], name[4200];
    snprintf(directory, sizeof directory, "%s/floor-outbox", store);
    struct timespec now;
    unsigned char tag[4];
    if (clock_gettime(CLOCK_REALTIME, &now) != 0 || getrandom(tag, sizeof tag, 0) != (ssize_t)sizeof tag) return -1;
    snprintf(base, sizeof base, "%lld.%09ld-%02x%02x%02x%02x.eml", (long long)now.tv_sec, now.tv_nsec, tag[0], tag[1], tag[2], tag[3]);
    snprintf(name, sizeof name, "%s/%s", directory, base);
    snprintf(temp, sizeof temp, "%s/.%s.tmp", directory, base);
    int fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0 && errno == ENOENT) {
        mkdir(directory, 0700);
        fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    }
    if (fd < 0) return -1;
    if (write(fd, floor_message, sizeof floor_message - 1) != (ssize_t)(sizeof floor_message - 1)) {
        close(fd);
        return -1;
    }
    return close(fd) == 0 && rename(temp, name) == 0 ? 0 : -1;
}
#endif

/* Returns 0 when every call did what the store's would. */
static int store_floor(const char *store) {
    if (!store || slot_floor_root(store) < 0) return -1;
    unsigned char key[32];
    if (getrandom(key, sizeof key, 0) != (ssize_t)sizeof key) return -1;
    int shard = key[0];
    char lock_name[16], table_name[16];
    snprintf(lock_name, sizeof lock_name, "t/%02x.lock", shard);
    snprintf(table_name, sizeof table_name, "t/%02x", shard);
    struct stat info;
    if (slot_locks[shard] < 0) {
        int fd = openat(slot_root, lock_name, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0 && errno == ENOENT) {
            mkdirat(slot_root, "t", 0700);
            fd = openat(slot_root, lock_name, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        }
        if (fd < 0 || flock(fd, LOCK_EX) != 0 || fstat(fd, &info) != 0) return -1;
        slot_locks[shard] = fd;
        slot_lock_inodes[shard] = info.st_ino;
    } else if (flock(slot_locks[shard], LOCK_EX) != 0) {
        return -1;
    }
    if (fstatat(slot_root, lock_name, &info, AT_SYMLINK_NOFOLLOW) != 0 || info.st_ino != slot_lock_inodes[shard]) return -1;
    if (slot_tables[shard] >= 0 && (fstatat(slot_root, table_name, &info, AT_SYMLINK_NOFOLLOW) != 0 || info.st_ino != slot_table_inodes[shard])) {
        return -1;
    }
    if (slot_tables[shard] < 0) {
        int fd = openat(slot_root, table_name, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0 && errno == ENOENT) fd = openat(slot_root, table_name, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0 || fstat(fd, &info) != 0) return -1;
        if (info.st_size < 8192) {
            if (ftruncate(fd, 8192) != 0) return -1;
            info.st_size = 8192;
        }
        slot_tables[shard] = fd;
        slot_table_inodes[shard] = info.st_ino;
        slot_buckets[shard] = info.st_size / 8192;
    }
    uint64_t number = 0;
    for (int i = 1; i < 9; i++) number = number << 8 | key[i];
    off_t bucket_offset = (off_t)(number % (uint64_t)slot_buckets[shard]) * 8192;
    unsigned char bucket[8192];
    if (pread(slot_tables[shard], bucket, sizeof bucket, bucket_offset) < 0) return -1;
    /* No slot holds the key (an unknown identifier): the first whose time is past is where it would go, and that
     * slot is written back as it was. */
    int start = key[9] % 32, slot = start;
    int64_t now = (int64_t)time(NULL);
    for (int step = 0; step < 32; step++) {
        int candidate = (start + step) % 32;
        int64_t dead_at;
        memcpy(&dead_at, bucket + candidate * 256 + 32, sizeof dead_at);
        if (memcmp(bucket + candidate * 256, key, 32) == 0 || dead_at <= now) { slot = candidate; break; }
    }
    if (pwrite(slot_tables[shard], bucket + slot * 256, 256, bucket_offset + slot * 256) != 256) return -1;
#ifdef FLOOR_SYNC
    if (fdatasync(slot_tables[shard]) != 0) return -1;
#endif
    flock(slot_locks[shard], LOCK_UN);
#ifdef FLOOR_OUTBOX
    return floor_outbox(store);
#else
    return 0;
#endif
}
