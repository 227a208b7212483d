/*
 * hmap.h: a small string-keyed hash map (open addressing, linear probing)
 * for the Salesforce emulator's indexes: records by id, records by
 * external-id value, sessions by token, field lookups by lower-case name.
 *
 * Keys are copied; values are borrowed pointers the caller owns. Not
 * thread-safe: every map lives inside a structure guarded by its owner's
 * lock. Used by every other file of the emulator.
 */
#ifndef EMU_SF_HMAP_H
#define EMU_SF_HMAP_H

#include <stddef.h>

struct hmap_slot {
    char *key; /* NULL: empty; HMAP_TOMBSTONE: deleted */
    void *val;
};

struct hmap {
    struct hmap_slot *slots;
    size_t cap;  /* power of two, or 0 */
    size_t len;  /* live keys */
    size_t used; /* live keys + tombstones */
};

void hmap_init(struct hmap *m);
void hmap_release(struct hmap *m);
/* borrowed: the value stored under key, or NULL. */
void *hmap_get(const struct hmap *m, const char *key);
/* Stores val under key (replacing any value); returns 0, or -1 when out of memory. */
int hmap_put(struct hmap *m, const char *key, void *val);
/* Removes key; returns the value it had, or NULL. */
void *hmap_del(struct hmap *m, const char *key);
/* Iteration: start with *pos = 0; returns 0 at the end. */
int hmap_next(const struct hmap *m, size_t *pos, const char **key, void **val);

/* Writes the ASCII-lower-cased s into out (n bytes, always terminated); returns out. */
char *hmap_lower(const char *s, char *out, size_t n);

#endif
