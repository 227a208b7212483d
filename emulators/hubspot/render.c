/*
 * render.c: JSON text written straight into a response buffer. The wire
 * form of a record (SimplePublicObject: the selected properties, their
 * history, the timestamps, the archived flag and the v3 associations) and
 * the envelope of a batch answer (BatchResponse*), plus the escaped-string
 * and separator primitives they are built from.
 *
 * Records are the bulk of what the emulator sends, so they never become a
 * jansson tree: building one, serialising it and freeing it cost several
 * times the write that produced the record. Every handler that answers
 * with records (objects.c, batch.c, search.c, assoc.c, control.c) renders
 * them here into a struct sync_buf and hands it to hs_reply_text. Batch
 * calls whose results are other things (associations, properties,
 * subscriptions) answer through hs_reply_batch. Callers hold the portal
 * lock (the record must not change while it is written).
 */
#include <string.h>

#include "core/json.h"
#include "core/time.h"
#include "emulators/hubspot/portal.h"

/* The escape of byte ch (a control, '"' or '\\') at out; returns 2 or 6. */
static size_t escape(char *out, unsigned char ch)
{
    static const char hex[] = "0123456789abcdef";
    out[0] = '\\';
    switch (ch) {
    case '"':
    case '\\':
        out[1] = (char)ch;
        return 2;
    case '\n':
        out[1] = 'n';
        return 2;
    case '\r':
        out[1] = 'r';
        return 2;
    case '\t':
        out[1] = 't';
        return 2;
    default:
        memcpy(out + 1, "u00", 3);
        out[4] = hex[ch >> 4];
        out[5] = hex[ch & 15];
        return 6;
    }
}

/* Text gathered in a small chunk, so that a string is one append, not one per piece. */
struct chunk {
    struct sync_buf *b;
    size_t n;
    char v[256];
};

static void chunk_add(struct chunk *k, const char *p, size_t len)
{
    if (k->n + len > sizeof(k->v)) {
        sync_buf_add(k->b, k->v, k->n);
        k->n = 0;
    }
    if (len > sizeof(k->v)) {
        sync_buf_add(k->b, p, len);
        return;
    }
    memcpy(k->v + k->n, p, len);
    k->n += len;
}

void render_str(struct sync_buf *b, const char *s)
{
    struct chunk k;
    k.b = b;
    k.n = 0;
    chunk_add(&k, "\"", 1);
    for (;;) {
        const char *run = s;
        char esc[6];
        while ((unsigned char)*s >= 0x20 && *s != '"' && *s != '\\')
            s++;
        chunk_add(&k, run, (size_t)(s - run));
        if (!*s)
            break;
        chunk_add(&k, esc, escape(esc, (unsigned char)*s++));
    }
    chunk_add(&k, "\"", 1);
    sync_buf_add(b, k.v, k.n);
}

void render_sep(struct sync_buf *b)
{
    char last = b->len ? b->data[b->len - 1] : '[';
    if (last != '[' && last != '{')
        sync_buf_addch(b, ',');
}

void render_key(struct sync_buf *b, const char *key)
{
    char chunk[128];
    size_t n = strlen(key);
    render_sep(b);
    if (n > sizeof(chunk) - 4) {
        sync_buf_addch(b, '"');
        sync_buf_add(b, key, n);
        sync_buf_addstr(b, "\":");
        return;
    }
    chunk[0] = '"';
    memcpy(chunk + 1, key, n);
    memcpy(chunk + 1 + n, "\":", 2);
    sync_buf_add(b, chunk, n + 3);
}

void render_iso(struct sync_buf *b, int64_t ms)
{
    char iso[SYNC_TIME_ISO_MAX + 2];
    size_t n;
    iso[0] = '"';
    sync_time_format_iso(ms, iso + 1, SYNC_TIME_ISO_MAX);
    n = strlen(iso);
    iso[n] = '"'; /* the ISO form never needs escaping */
    sync_buf_add(b, iso, n + 1);
}

void render_id(struct sync_buf *b, uint64_t id)
{
    char buf[24];
    sync_buf_addch(b, '"');
    sync_buf_addstr(b, hs_id_str(id, buf));
    sync_buf_addch(b, '"');
}

/* ---- records ---- */

static void put_prop(struct sync_buf *b, const struct hs_record *r, const struct hs_prop *prop)
{
    const char *v = hs_record_get(r, prop);
    render_key(b, prop->name);
    if (v)
        render_str(b, v);
    else
        sync_buf_addstr(b, "null");
}

static int listed(struct hs_prop *const *v, size_t n, const struct hs_prop *x)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] == x)
            return 1;
    return 0;
}

/* Every set property, after the type's defaults (the control API's full dump). */
static void put_all(struct sync_buf *b, const struct hs_catalog *cat, const struct hs_record *r)
{
    for (size_t i = 0; i < cat->ndefaults; i++)
        put_prop(b, r, cat->defaults[i]);
    for (size_t i = 0; i < cat->n; i++)
        if (hs_record_get(r, cat->v[i]) && !listed(cat->defaults, cat->ndefaults, cat->v[i]))
            put_prop(b, r, cat->v[i]);
}

/* The listed properties, then the create and modify dates and the id unless listed: HubSpot
 * adds those three to every answer. */
static void put_listed(struct sync_buf *b, const struct hs_catalog *cat, const struct hs_record *r,
                       struct hs_prop *const *v, size_t n)
{
    struct hs_prop *extra[3] = {cat->sys[HS_SYS_CREATED], cat->sys[HS_SYS_LASTMOD],
                                cat->sys[HS_SYS_OBJECT_ID]};
    for (size_t i = 0; i < n; i++)
        put_prop(b, r, v[i]);
    for (size_t i = 0; i < 3; i++)
        if (extra[i] && !listed(v, n, extra[i]) && !listed(extra, i, extra[i]))
            put_prop(b, r, extra[i]);
}

static void put_properties(struct sync_buf *b, struct hs_portal *p, const struct hs_record *r,
                           const struct hs_out *o)
{
    const struct hs_catalog *cat = &p->cat[r->type];
    render_key(b, "properties");
    sync_buf_addch(b, '{');
    if (o && o->all)
        put_all(b, cat, r);
    else if (o && o->props && o->props->given)
        put_listed(b, cat, r, o->props->v, o->props->n);
    else
        put_listed(b, cat, r, cat->defaults, cat->ndefaults);
    sync_buf_addch(b, '}');
}

/* One history entry: {"value","timestamp","sourceType","sourceId"?,"sourceLabel"?,
 * "updatedByUserId"?}. */
static void put_hist_entry(struct sync_buf *b, const char *value, int64_t ts, const char *type,
                           const char *src_id, int64_t user_id)
{
    render_sep(b);
    sync_buf_addch(b, '{');
    render_key(b, "value");
    render_str(b, value);
    render_key(b, "timestamp");
    render_iso(b, ts);
    render_key(b, "sourceType");
    render_str(b, type);
    if (src_id) {
        render_key(b, "sourceId");
        render_str(b, src_id);
    }
    if (strcmp(type, "INTEGRATION") == 0) {
        render_key(b, "sourceLabel");
        render_str(b, HS_APP_NAME);
    }
    if (user_id)
        sync_buf_addf(b, ",\"updatedByUserId\":%lld", (long long)user_id);
    sync_buf_addch(b, '}');
}

/* A value with no recorded history was set by HubSpot itself (CALCULATED). */
static void put_history(struct sync_buf *b, const struct hs_record *r, const struct hs_prop *prop)
{
    const struct hs_hist *h = prop->idx < r->nvals ? r->hist[prop->idx] : NULL;
    const char *v = hs_record_get(r, prop);
    render_key(b, prop->name);
    sync_buf_addch(b, '[');
    if (!h && v)
        put_hist_entry(b, v, r->updated, "CALCULATED", NULL, 0);
    for (; h; h = h->next)
        put_hist_entry(b, h->value, h->ts, h->src_type, h->src_id, h->user_id);
    sync_buf_addch(b, ']');
}

void render_record_open(struct sync_buf *b, struct hs_portal *p, const struct hs_record *r,
                        const struct hs_out *o)
{
    render_sep(b);
    sync_buf_addch(b, '{');
    render_key(b, "id");
    render_id(b, r->id);
    put_properties(b, p, r, o);
    if (o && o->hist && o->hist->n) {
        render_key(b, "propertiesWithHistory");
        sync_buf_addch(b, '{');
        for (size_t i = 0; i < o->hist->n; i++)
            put_history(b, r, o->hist->v[i]);
        sync_buf_addch(b, '}');
    }
    render_key(b, "createdAt");
    render_iso(b, r->created);
    render_key(b, "updatedAt");
    render_iso(b, r->updated);
    render_key(b, "archived");
    sync_buf_addstr(b, r->archived ? "true" : "false");
    if (r->archived) {
        render_key(b, "archivedAt");
        render_iso(b, r->archived_at);
    }
    if (o && o->nassoc)
        assoc_render_v3(b, p, r, o->assoc_types, o->nassoc, !o->all);
}

void render_record(struct sync_buf *b, struct hs_portal *p, const struct hs_record *r,
                   const struct hs_out *o)
{
    render_record_open(b, p, r, o);
    sync_buf_addch(b, '}');
}

/* ---- batch answers ---- */

void render_batch_open(struct sync_buf *b)
{
    sync_buf_addstr(b, "{\"status\":\"COMPLETE\",\"results\":[");
}

void hs_reply_batch(struct hs_ctx *c, int ok_status, int64_t started, json_t *results,
                    json_t *errors)
{
    char a[SYNC_TIME_ISO_MAX], b[SYNC_TIME_ISO_MAX];
    json_t *o;
    sync_time_format_iso(started, a, sizeof(a));
    sync_time_format_iso(sync_time_now_ms(), b, sizeof(b));
    o = json_pack("{s:s, s:o, s:s, s:s, s:s, s:{}}", "status", "COMPLETE", "results", results,
                  "requestedAt", a, "startedAt", a, "completedAt", b, "links");
    if (json_array_size(errors)) {
        json_object_set_new(o, "numErrors", json_integer((json_int_t)json_array_size(errors)));
        json_object_set_new(o, "errors", errors);
        hs_reply(c, 207, o);
        return;
    }
    json_decref(errors);
    hs_reply(c, ok_status, o);
}

void render_batch_close(struct sync_buf *b, int64_t started, json_t *errors)
{
    sync_buf_addch(b, ']');
    render_key(b, "requestedAt");
    render_iso(b, started);
    render_key(b, "startedAt");
    render_iso(b, started);
    render_key(b, "completedAt");
    render_iso(b, sync_time_now_ms());
    sync_buf_addstr(b, ",\"links\":{}");
    if (json_array_size(errors)) {
        sync_buf_addf(b, ",\"numErrors\":%zu", json_array_size(errors));
        render_key(b, "errors");
        sync_json_dump(errors, b);
    }
    json_decref(errors);
    sync_buf_addch(b, '}');
}
