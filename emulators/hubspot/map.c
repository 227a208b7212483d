/*
 * map.c: a string-keyed hash map with separate chaining (see portal.h).
 * Used for records by id and merged-away id, unique-property indexes,
 * property names, tokens and call statistics. Not locked: callers hold the
 * portal lock.
 */
#include <stdlib.h>
#include <string.h>

#include "emulators/hubspot/portal.h"

static uint32_t hash_str(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 16777619u;
    }
    return h;
}

void hs_map_init(struct hs_map *m)
{
    m->b = NULL;
    m->nb = 0;
    m->n = 0;
}

void hs_map_release(struct hs_map *m, void (*free_val)(void *))
{
    for (size_t i = 0; i < m->nb; i++) {
        struct hs_map_ent *e = m->b[i];
        while (e) {
            struct hs_map_ent *next = e->next;
            if (free_val)
                free_val(e->val);
            free(e);
            e = next;
        }
    }
    free(m->b);
    hs_map_init(m);
}

void *hs_map_get(const struct hs_map *m, const char *key)
{
    uint32_t h;
    if (!m->nb)
        return NULL;
    h = hash_str(key);
    for (struct hs_map_ent *e = m->b[h & (m->nb - 1)]; e; e = e->next)
        if (e->hash == h && strcmp(e->key, key) == 0)
            return e->val;
    return NULL;
}

static int grow(struct hs_map *m)
{
    size_t nb = m->nb ? m->nb * 2 : 16;
    struct hs_map_ent **b = calloc(nb, sizeof(*b));
    if (!b)
        return -1;
    for (size_t i = 0; i < m->nb; i++) {
        struct hs_map_ent *e = m->b[i];
        while (e) {
            struct hs_map_ent *next = e->next;
            e->next = b[e->hash & (nb - 1)];
            b[e->hash & (nb - 1)] = e;
            e = next;
        }
    }
    free(m->b);
    m->b = b;
    m->nb = nb;
    return 0;
}

int hs_map_put(struct hs_map *m, const char *key, void *val)
{
    uint32_t h = hash_str(key);
    size_t klen = strlen(key);
    struct hs_map_ent *e;

    if (m->nb) {
        for (e = m->b[h & (m->nb - 1)]; e; e = e->next) {
            if (e->hash == h && strcmp(e->key, key) == 0) {
                e->val = val;
                return 0;
            }
        }
    }
    if ((m->n + 1) * 4 > m->nb * 3 && grow(m))
        return -1;
    e = malloc(sizeof(*e) + klen + 1);
    if (!e)
        return -1;
    memcpy(e->key, key, klen + 1);
    e->hash = h;
    e->val = val;
    e->next = m->b[h & (m->nb - 1)];
    m->b[h & (m->nb - 1)] = e;
    m->n++;
    return 0;
}

void *hs_map_del(struct hs_map *m, const char *key)
{
    uint32_t h;
    struct hs_map_ent **pp;
    if (!m->nb)
        return NULL;
    h = hash_str(key);
    for (pp = &m->b[h & (m->nb - 1)]; *pp; pp = &(*pp)->next) {
        struct hs_map_ent *e = *pp;
        if (e->hash == h && strcmp(e->key, key) == 0) {
            void *v = e->val;
            *pp = e->next;
            free(e);
            m->n--;
            return v;
        }
    }
    return NULL;
}

void hs_map_each(const struct hs_map *m, void (*fn)(const char *key, void *val, void *arg),
                 void *arg)
{
    for (size_t i = 0; i < m->nb; i++)
        for (struct hs_map_ent *e = m->b[i]; e; e = e->next)
            fn(e->key, e->val, arg);
}
