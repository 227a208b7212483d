/*
 * geo.c: the planner's view of Salesforce's State and Country/Territory
 * picklists (struct sync_plan_geo), built from an object's describe: the
 * CountryCode options, and the StateCode options each with the country its
 * validFor bitmap names (bit i set: valid for the controller's i-th
 * option). Built once per object and process, when
 * settings.state_country_picklists is on. Called by the plan step.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/crypto.h"
#include "core/json.h"
#include "engine/sync_int.h"

/* The first field of the describe whose name ends with suffix ("CountryCode"). */
static const json_t *field_ending(const json_t *raw, const char *suffix)
{
    const json_t *f;
    size_t i, sl = strlen(suffix);

    json_array_foreach(json_object_get(raw, "fields"), i, f)
    {
        const char *name = sync_json_str(f, "name");
        size_t n = name ? strlen(name) : 0;
        if (n >= sl && strcmp(name + n - sl, suffix) == 0)
            return f;
    }
    return NULL;
}

/* The index of the first bit set in a base64 validFor bitmap, or -1. */
static long first_bit(const char *b64)
{
    struct sync_buf b = SYNC_BUF_INIT(4096);
    long at = -1;

    if (b64 && sync_base64_decode(b64, strlen(b64), &b) == SYNC_OK)
        for (size_t i = 0; at < 0 && i < b.len; i++)
            for (int k = 0; k < 8; k++)
                if ((unsigned char)b.data[i] & (0x80 >> k)) {
                    at = (long)(i * 8 + (size_t)k);
                    break;
                }
    sync_buf_release(&b);
    return at;
}

static enum sync_rc geo_build(struct sync_engine_catalog *slot)
{
    const json_t *cf = field_ending(slot->cat.raw, "CountryCode");
    const json_t *sf = field_ending(slot->cat.raw, "StateCode");
    const json_t *cv = json_object_get(cf, "picklistValues");
    const json_t *sv = json_object_get(sf, "picklistValues"), *o;
    size_t nc = json_array_size(cv), ns = json_array_size(sv), i;
    struct sync_plan_geo_country *countries = calloc(nc + 1, sizeof(*countries));
    struct sync_plan_geo_state *states = calloc(ns + 1, sizeof(*states));

    if (!countries || !states) {
        free(countries);
        free(states);
        return SYNC_ERR_NOMEM;
    }
    json_array_foreach(cv, i, o)
    {
        countries[i].code = sync_json_str(o, "value");
        countries[i].label = sync_json_str(o, "label");
        if (!countries[i].code || !countries[i].label)
            countries[i].code = countries[i].label = "";
    }
    slot->geo.ncountries = nc;
    json_array_foreach(sv, i, o)
    {
        long c = first_bit(sync_json_str(o, "validFor"));
        const char *code = sync_json_str(o, "value"), *label = sync_json_str(o, "label");
        if (c < 0 || (size_t)c >= nc || !code || !label)
            continue;
        states[slot->geo.nstates].code = code;
        states[slot->geo.nstates].label = label;
        states[slot->geo.nstates].country = countries[c].code;
        slot->geo.nstates++;
    }
    slot->geo.countries = countries;
    slot->geo.states = states;
    slot->geo_built = 1;
    return SYNC_OK;
}

enum sync_rc sync__engine_geo(struct sync_engine *e, const char *sf_object,
                              const struct sync_plan_geo **out, struct sync_err *err)
{
    const struct sync_field_catalog *cat;
    enum sync_rc rc = sync__engine_catalog(e, SYNC_SIDE_SALESFORCE, sf_object, &cat, err);
    struct sync_engine_catalog *slot;

    *out = NULL;
    if (rc)
        return rc;
    slot = (struct sync_engine_catalog *)((const char *)cat -
                                          offsetof(struct sync_engine_catalog, cat));
    if (!slot->geo_built && geo_build(slot))
        return sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    *out = &slot->geo;
    return SYNC_OK;
}

void sync__engine_geo_release(struct sync_engine_catalog *slot)
{
    free((void *)slot->geo.countries);
    free((void *)slot->geo.states);
    memset(&slot->geo, 0, sizeof(slot->geo));
    slot->geo_built = 0;
}
