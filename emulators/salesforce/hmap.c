/*
 * hmap.c: the string-keyed hash map (see hmap.h). Pure and not
 * thread-safe: each map lives in a structure whose owner's lock guards
 * it. Used by every other file of the emulator.
 */
#include "emulators/salesforce/hmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static char tombstone_mark;
#define HMAP_TOMBSTONE (&tombstone_mark)

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

void hmap_init(struct hmap *m)
{
    memset(m, 0, sizeof(*m));
}

void hmap_release(struct hmap *m)
{
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].key && m->slots[i].key != HMAP_TOMBSTONE)
            free(m->slots[i].key);
    free(m->slots);
    memset(m, 0, sizeof(*m));
}

static struct hmap_slot *find(const struct hmap *m, const char *key)
{
    size_t mask, i;
    if (!m->cap)
        return NULL;
    mask = m->cap - 1;
    i = (size_t)hash_str(key) & mask;
    for (;;) {
        struct hmap_slot *s = &m->slots[i];
        if (!s->key)
            return NULL;
        if (s->key != HMAP_TOMBSTONE && strcmp(s->key, key) == 0)
            return s;
        i = (i + 1) & mask;
    }
}

void *hmap_get(const struct hmap *m, const char *key)
{
    struct hmap_slot *s = find(m, key);
    return s ? s->val : NULL;
}

static int grow(struct hmap *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 16;
    struct hmap_slot *old = m->slots;
    size_t ocap = m->cap;

    /* only grow when live keys fill the table; otherwise rehash at the same size */
    if (m->len * 2 < m->cap)
        ncap = m->cap;
    m->slots = calloc(ncap, sizeof(*m->slots));
    if (!m->slots) {
        m->slots = old;
        return -1;
    }
    m->cap = ncap;
    m->used = 0;
    m->len = 0;
    for (size_t i = 0; i < ocap; i++) {
        if (old[i].key && old[i].key != HMAP_TOMBSTONE) {
            size_t j = (size_t)hash_str(old[i].key) & (ncap - 1);
            while (m->slots[j].key)
                j = (j + 1) & (ncap - 1);
            m->slots[j] = old[i];
            m->used++;
            m->len++;
        }
    }
    free(old);
    return 0;
}

int hmap_put(struct hmap *m, const char *key, void *val)
{
    struct hmap_slot *s = find(m, key);
    size_t i;

    if (s) {
        s->val = val;
        return 0;
    }
    if ((m->used + 1) * 4 >= m->cap * 3 && grow(m))
        return -1;
    i = (size_t)hash_str(key) & (m->cap - 1);
    while (m->slots[i].key && m->slots[i].key != HMAP_TOMBSTONE)
        i = (i + 1) & (m->cap - 1);
    if (!m->slots[i].key)
        m->used++;
    m->slots[i].key = strdup(key);
    if (!m->slots[i].key)
        return -1;
    m->slots[i].val = val;
    m->len++;
    return 0;
}

void *hmap_del(struct hmap *m, const char *key)
{
    struct hmap_slot *s = find(m, key);
    void *v;
    if (!s)
        return NULL;
    v = s->val;
    free(s->key);
    s->key = HMAP_TOMBSTONE;
    s->val = NULL;
    m->len--;
    return v;
}

int hmap_next(const struct hmap *m, size_t *pos, const char **key, void **val)
{
    while (*pos < m->cap) {
        struct hmap_slot *s = &m->slots[(*pos)++];
        if (s->key && s->key != HMAP_TOMBSTONE) {
            if (key)
                *key = s->key;
            if (val)
                *val = s->val;
            return 1;
        }
    }
    return 0;
}

char *hmap_lower(const char *s, char *out, size_t n)
{
    size_t i = 0;
    if (!n)
        return out;
    for (; s[i] && i + 1 < n; i++)
        out[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] + 32) : s[i];
    out[i] = '\0';
    return out;
}
