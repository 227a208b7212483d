/*
 * mapdescribe.c: a candidate user mapping's types from the vendors'
 * describes (see mapdescribe.h). Called by the CLI's and the admin API's
 * mapping commands through runtime.c.
 */
#include "engine/mapdescribe.h"

#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "engine/sync_int.h"

/* The describe of one object, with what failed said in err. */
static enum sync_rc catalog(struct sync_engine *e, enum sync_side side, const char *object,
                            const struct sync_field_catalog **out, struct sync_err *err)
{
    enum sync_rc rc = sync__engine_catalog(e, side, object, out, err);
    char was[SYNC_ERR_MSG_MAX];

    if (rc && err) {
        snprintf(was, sizeof(was), "%s", err->message);
        snprintf(err->message, sizeof(err->message), "%s: cannot read the %s %s: %.800s",
                 side == SYNC_SIDE_HUBSPOT ? "HubSpot" : "Salesforce", object,
                 side == SYNC_SIDE_HUBSPOT ? "properties" : "describe", was);
    }
    return rc;
}

/* Whether HubSpot's property p (in the properties answer raw) references owners. */
static int owner_ref(const json_t *raw, const char *name)
{
    const json_t *p;
    size_t i;

    json_array_foreach(json_object_get(raw, "results"), i, p)
    {
        const char *ref = sync_json_str(p, "referencedObjectType");
        if (strcmp(sync_json_str(p, "name") ? sync_json_str(p, "name") : "", name) == 0)
            return ref && strcmp(ref, "OWNER") == 0;
    }
    return 0;
}

static enum sync_rc resolve_hs(struct sync_engine *e, struct sync_mapping *m, struct sync_err *err)
{
    const char *object = sync_kind_hs_object(m->kind);
    const struct sync_field_catalog *cat;
    const struct sync_field_def *d;
    enum sync_rc rc = catalog(e, SYNC_SIDE_HUBSPOT, object, &cat, err);

    if (rc)
        return rc;
    d = sync_field_catalog_find(cat, m->hs.name);
    if (!d || strcmp(d->name, m->hs.name) != 0)
        return sync_err_set(err, SYNC_ERR_INVALID, "HubSpot has no %s property '%s'", object,
                            m->hs.name);
    if (sync_hs_type_parse(d->vendor_type, &m->hs.type) ||
        sync_hs_field_type_parse(d->field_type, &m->hs.field_type))
        return sync_err_set(
            err, SYNC_ERR_INVALID, "HubSpot property %s (%s, %s) cannot be mapped to Salesforce",
            m->hs.name, d->vendor_type ? d->vendor_type : "?", d->field_type ? d->field_type : "?");
    if (d->flags & SYNC_FIELD_CALCULATED)
        return sync_err_set(err, SYNC_ERR_INVALID,
                            "HubSpot property %s is calculated: calculated properties cannot be "
                            "mapped to Salesforce",
                            m->hs.name);
    m->hs.owner_ref = owner_ref(cat->raw, m->hs.name);
    return SYNC_OK;
}

static enum sync_rc resolve_sf(struct sync_engine *e, struct sync_sf_field *f, struct sync_err *err)
{
    const struct sync_field_catalog *cat;
    const struct sync_field_def *d;
    enum sync_rc rc = catalog(e, SYNC_SIDE_SALESFORCE, f->object, &cat, err);

    if (rc)
        return rc;
    if (!(d = sync_field_catalog_find(cat, f->name)))
        return sync_err_set(err, SYNC_ERR_INVALID, "Salesforce %s has no field '%s'", f->object,
                            f->name);
    if (sync_sf_type_parse(d->vendor_type, &f->type))
        return sync_err_set(err, SYNC_ERR_INVALID,
                            "Salesforce field %s.%s is of type %s, which cannot be mapped",
                            f->object, d->name, d->vendor_type ? d->vendor_type : "?");
    /* as the vendor spells it: records come back with its keys */
    snprintf(f->name, sizeof(f->name), "%s", d->name);
    f->length = d->length > 0 ? (unsigned)d->length : 0;
    return SYNC_OK;
}

enum sync_rc sync_mapdescribe_resolve(void *ctx, struct sync_mapping *m, struct sync_err *err)
{
    struct sync_mapdescribe *d = ctx;
    enum sync_rc rc = SYNC_OK;

    if (!d->e && (rc = sync_engine_open(&d->e, d->cfg, err)))
        return rc;
    rc = resolve_hs(d->e, m, err);
    for (size_t i = 0; rc == SYNC_OK && i < m->nsf; i++)
        rc = resolve_sf(d->e, &m->sf[i], err);
    return rc;
}

void sync_mapdescribe_close(struct sync_mapdescribe *d)
{
    sync_engine_close(d->e);
    d->e = NULL;
}
