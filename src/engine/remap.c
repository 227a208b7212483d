/*
 * remap.c: the engine's mapping set kept to the one in force (runtime.h),
 * at the engine's start and at the start of every pass (sync.c).
 *
 * A rule changed is set in place. A mapping added, removed or re-pointed
 * at run time swaps the whole set: every source's field list is built
 * again from the new set (so capture, fetches and read-backs ask for the
 * new fields and stop asking for the old), and the field catalogues of
 * the changed kinds' objects are dropped, to be described again on first
 * use (a HubSpot property created since the last describe). Each change
 * is logged.
 *
 * It runs between passes only: nothing holds the set, a field list or a
 * catalogue across passes (the plan step and apply look them up each
 * round). A change captured before the swap lacks the new field; the
 * planner leaves a field a record does not carry alone, so nothing is
 * cleared by it.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/log.h"
#include "engine/runtime.h"
#include "engine/sync_int.h"

/* "Lead.Salutation, Contact.Salutation" */
static const char *fields_text(const struct sync_mapping *m, char *out, size_t n)
{
    size_t o = 0;

    out[0] = '\0';
    for (size_t i = 0; i < m->nsf && o < n; i++)
        o += (size_t)snprintf(out + o, n - o, "%s%s.%s", i ? ", " : "", m->sf[i].object,
                              m->sf[i].name);
    return out;
}

/* Logs how now differs from was; returns the kinds (bit 1 << kind) whose mappings were
 * added, removed or re-pointed. */
static unsigned changes_log(const struct sync_mapping_set *was, const struct sync_mapping_set *now)
{
    char a[2 * SYNC_FIELD_NAME_MAX * SYNC_MAPPING_MAX_SF + 8];
    char b[sizeof(a)];
    unsigned kinds = 0;

    for (size_t i = 0; i < now->n; i++) {
        const struct sync_mapping *m = &now->items[i];
        const struct sync_mapping *w = sync_mapping_set_find_hs(was, m->kind, m->hs.name);
        if (!w) {
            sync_info("mappings", "mapping added: %s %s <-> %s (%s)", sync_kind_name(m->kind),
                      m->hs.name, fields_text(m, a, sizeof(a)), sync_rule_name(m->rule));
            kinds |= 1u << m->kind;
        } else if (!sync_mapping_same_fields(w, m)) {
            sync_info("mappings", "mapping changed: %s %s <-> %s (%s), was %s (%s)",
                      sync_kind_name(m->kind), m->hs.name, fields_text(m, a, sizeof(a)),
                      sync_rule_name(m->rule), fields_text(w, b, sizeof(b)),
                      sync_rule_name(w->rule));
            kinds |= 1u << m->kind;
        } else if (w->rule != m->rule) {
            sync_info("settings", "the %s mapping of %s is now %s (was %s)",
                      sync_kind_name(m->kind), m->hs.name, sync_rule_name(m->rule),
                      sync_rule_name(w->rule));
        }
    }
    for (size_t i = 0; i < was->n; i++) {
        const struct sync_mapping *w = &was->items[i];
        if (sync_mapping_set_find_hs(now, w->kind, w->hs.name))
            continue;
        sync_info("mappings", "mapping removed: %s %s (was %s)", sync_kind_name(w->kind),
                  w->hs.name, fields_text(w, a, sizeof(a)));
        kinds |= 1u << w->kind;
    }
    return kinds;
}

/* Whether a catalogue describes an object of one of the kinds. */
static int catalog_of(const struct sync_engine_catalog *c, unsigned kinds)
{
    for (int k = 0; k < SYNC_KIND__COUNT; k++) {
        const char *const *objs = sync_kind_sf_objects((enum sync_kind)k);
        if (!(kinds & (1u << k)))
            continue;
        if (c->side == SYNC_SIDE_HUBSPOT &&
            strcmp(c->object, sync_kind_hs_object((enum sync_kind)k)) == 0)
            return 1;
        for (size_t i = 0; c->side == SYNC_SIDE_SALESFORCE && objs && objs[i]; i++)
            if (strcasecmp(c->object, objs[i]) == 0)
                return 1;
    }
    return 0;
}

static void catalogs_forget(struct sync_engine *e, unsigned kinds)
{
    size_t kept = 0;

    for (size_t i = 0; i < e->ncats; i++) {
        if (!catalog_of(&e->cats[i], kinds)) {
            if (kept != i)
                e->cats[kept] = e->cats[i];
            kept++;
            continue;
        }
        sync__engine_geo_release(&e->cats[i]);
        sync_field_catalog_release(&e->cats[i].cat);
    }
    if (kept < e->ncats)
        memset(&e->cats[kept], 0, (e->ncats - kept) * sizeof(e->cats[0]));
    e->ncats = kept;
}

/* Makes now the engine's set (now gets the old one, for the caller to release), with every
 * source's field list built again; nothing changes when a list cannot be built. */
static enum sync_rc maps_swap(struct sync_engine *e, struct sync_mapping_set *now, unsigned kinds,
                              struct sync_err *err)
{
    struct sync_fieldset fs[SYNC_ENGINE_MAX_SOURCES];
    struct sync_mapping_set was;
    enum sync_rc rc = SYNC_OK;
    size_t i;

    memset(fs, 0, sizeof(fs));
    for (i = 0; rc == SYNC_OK && i < e->nsources; i++) {
        const struct sync_engine_source *s = &e->sources[i];
        rc = sync_fieldset_build(&fs[i], now, s->kind, s->side, s->object);
    }
    if (rc) {
        for (size_t j = 0; j < i; j++)
            sync_fieldset_release(&fs[j]);
        return sync_err_set(err, rc, "engine: cannot list the fields of %s",
                            e->sources[i - 1].object);
    }
    was = e->maps;
    e->maps = *now;
    *now = was;
    for (i = 0; i < e->nsources; i++) {
        sync_fieldset_release(&e->sources[i].fields);
        e->sources[i].fields = fs[i];
        e->sources[i].poll.fields = fs[i].names;
    }
    catalogs_forget(e, kinds);
    return SYNC_OK;
}

enum sync_rc sync__engine_remap(struct sync_engine *e, struct sync_mapping_set *now,
                                struct sync_err *err)
{
    unsigned kinds = changes_log(&e->maps, now);
    enum sync_rc rc = SYNC_OK;

    if (kinds)
        return maps_swap(e, now, kinds, err);
    for (size_t i = 0; rc == SYNC_OK && i < now->n; i++) {
        const struct sync_mapping *m = &now->items[i];
        const struct sync_mapping *was = sync_mapping_set_find_hs(&e->maps, m->kind, m->hs.name);
        if (was && was->rule != m->rule)
            rc = sync_mapping_set_rule(&e->maps, m->kind, m->hs.name, m->rule, err);
    }
    return rc;
}

enum sync_rc sync__engine_maps_load(struct sync_engine *e, struct sync_err *err)
{
    struct sync_mapping_set now;
    enum sync_rc rc = sync_runtime_mappings_load(e->st, e->cfg, &now, err);

    if (rc == SYNC_OK) {
        struct sync_mapping_set was = e->maps;
        e->maps = now;
        now = was;
    }
    sync_mapping_set_release(&now);
    return rc;
}
