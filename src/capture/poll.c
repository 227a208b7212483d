/*
 * poll.c: polling capture (see poll.h): keyset windows through the
 * connector into the inbox, the cursor advanced in the same transaction
 * as the changes it covers, a lookback with an (Id, SystemModstamp,
 * values) dedupe for Salesforce kept in the store. Called by the engine's
 * pass.
 */
#include "capture/poll.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/crypto.h"
#include "core/json.h"
#include "core/log.h"
#include "core/time.h"

#define CURSOR_MAX (64 * 1024) /* a window position; the delete cursor's ids fit too */
#define PAYLOAD_MAX (16 * 1024 * 1024)

void sync_poll_cursor_name(const struct sync_poll_source *src, char *out, size_t n)
{
    snprintf(out, n, "%s:%s", src->system, src->object);
}

static int all_digits(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

/* Keyset order of ids: numerically for HubSpot's decimal ids, bytewise otherwise. */
static int id_cmp(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (all_digits(a) && all_digits(b) && la != lb)
        return la < lb ? -1 : 1;
    return strcmp(a, b);
}

static int keyset_cmp(const struct sync_conn_cursor *a, const struct sync_conn_cursor *b)
{
    if (a->ts_ms != b->ts_ms)
        return a->ts_ms < b->ts_ms ? -1 : 1;
    return id_cmp(a->id, b->id);
}

int sync_poll_record_key(enum sync_vendor vendor, const char *object, const json_t *rec,
                         const char **id, int64_t *version, int *deleted)
{
    const char *stamp;

    if (!json_is_object(rec))
        return 0;
    if (vendor == SYNC_VENDOR_SALESFORCE) {
        *id = sync_json_str(rec, "Id");
        stamp = sync_json_str(rec, "SystemModstamp");
        *deleted = sync_json_bool(rec, "IsDeleted", 0);
    } else {
        const json_t *props = json_object_get(rec, "properties");
        const char *lm =
            strcmp(object, "contacts") == 0 ? "lastmodifieddate" : "hs_lastmodifieddate";
        *id = sync_json_str(rec, "id");
        stamp = sync_json_str(props, lm);
        if (!stamp)
            stamp = sync_json_str(rec, "updatedAt");
        *deleted = sync_json_bool(rec, "archived", 0);
    }
    if (!*id || !**id || !stamp)
        return 0;
    if (sync_time_parse(stamp, version) != SYNC_OK) {
        char *end;
        long long ms = strtoll(stamp, &end, 10);
        if (*end || end == stamp)
            return 0;
        *version = ms;
    }
    return 1;
}

/* ---- the cursor's position ---- */

static enum sync_rc cursor_load(struct sync_store *st, const char *name,
                                struct sync_conn_cursor *at, int64_t *floor_ms, int *absent,
                                struct sync_err *err)
{
    struct sync_buf pos = SYNC_BUF_INIT(CURSOR_MAX);
    struct sync_err perr = SYNC_ERR_INIT;
    enum sync_rc rc = sync_store_cursor_get(st, name, &pos, NULL, err);
    json_t *j;

    memset(at, 0, sizeof(*at));
    *floor_ms = 0;
    *absent = rc == SYNC_ERR_NOT_FOUND;
    if (rc == SYNC_ERR_NOT_FOUND) {
        sync_err_clear(err);
        sync_buf_release(&pos);
        return SYNC_OK;
    }
    if (rc) {
        sync_buf_release(&pos);
        return rc;
    }
    j = sync_json_parse(pos.data, pos.len, &perr);
    sync_buf_release(&pos);
    if (!json_is_object(j)) {
        /* a position this build cannot read: start over rather than stop capturing */
        sync_warn("capture", "cursor %s is unreadable (%s); starting from the beginning", name,
                  perr.message);
        json_decref(j);
        return SYNC_OK;
    }
    at->ts_ms = sync_json_int(j, "ts", 0);
    snprintf(at->id, sizeof(at->id), "%s", sync_json_str(j, "id") ? sync_json_str(j, "id") : "");
    at->tie = sync_json_bool(j, "tie", 0);
    at->listing = sync_json_bool(j, "list", 0);
    *floor_ms = sync_json_int(j, "floor", 0);
    json_decref(j);
    return SYNC_OK;
}

/* floor_ms: a from_now source's start, which the lookback never reaches behind (0: none). */
static enum sync_rc cursor_text(const struct sync_conn_cursor *at, int64_t floor_ms,
                                struct sync_buf *out)
{
    json_t *j = json_pack("{s:I, s:s, s:b, s:b}", "ts", (json_int_t)at->ts_ms, "id", at->id, "tie",
                          at->tie, "list", at->listing);
    if (j && floor_ms)
        json_object_set_new(j, "floor", json_integer(floor_ms));
    enum sync_rc rc = j ? sync_json_dump(j, out) : SYNC_ERR_NOMEM;
    json_decref(j);
    return rc;
}

/* A short digest of a record's values: Salesforce stamps whole seconds, so two versions of a
 * record written in one second share (Id, SystemModstamp) and only their values tell them
 * apart. */
static void record_digest(const json_t *rec, char out[17])
{
    struct sync_buf text = SYNC_BUF_INIT(16 * 1024 * 1024), hex = SYNC_BUF_INIT(128);

    out[0] = '\0';
    if (sync_json_dump(rec, &text) == SYNC_OK && sync_sha256_hex(text.data, text.len, &hex) == 0)
        snprintf(out, 17, "%.16s", sync_buf_str(&hex));
    sync_buf_release(&text);
    sync_buf_release(&hex);
}

/* ---- one page into the inbox ---- */

struct page {
    const struct sync_poll_source *src;
    enum sync_vendor vendor;
    const char *name; /* the cursor's, which also names the source's seen rows */
    const json_t *records;
    size_t stored;
};

/* A lookback re-reads rows: 1 when this one was read before with the same stamp and values. */
static enum sync_rc seen_before(struct sync_store *st, const struct page *pg, const json_t *rec,
                                const char *id, int64_t version, int *seen, struct sync_err *err)
{
    char digest[17];

    *seen = 0;
    if (pg->src->lookback_ms <= 0)
        return SYNC_OK;
    record_digest(rec, digest);
    if (!digest[0])
        return SYNC_OK; /* cannot tell: capture it again (planning sees an echo) */
    return sync_store_seen_mark(st, pg->name, id, version, digest, seen, err);
}

static enum sync_rc page_put(struct sync_store *st, struct page *pg, const json_t *rec,
                             struct sync_buf *payload, struct sync_err *err)
{
    struct sync_change ch;
    const char *id;
    int64_t version;
    int deleted, seen, stored = 0;
    enum sync_rc rc;

    if (!sync_poll_record_key(pg->vendor, pg->src->object, rec, &id, &version, &deleted))
        return SYNC_OK;
    if ((rc = seen_before(st, pg, rec, id, version, &seen, err)) || seen)
        return rc;
    sync_buf_reset(payload);
    if ((rc = sync_json_dump(rec, payload)))
        return sync_err_set(err, rc, "capture: a %s record is too large to keep", pg->src->object);
    memset(&ch, 0, sizeof(ch));
    ch.system = pg->src->system;
    ch.object = pg->src->object;
    ch.record_id = id;
    ch.version = version;
    ch.deleted = deleted;
    ch.payload = sync_buf_str(payload);
    rc = sync_store_inbox_put(st, &ch, &stored, err);
    pg->stored += stored != 0;
    return rc;
}

/* The page's changes, the cursor past them and (lookback sources) the rows read, in one
 * transaction. */
static enum sync_rc page_store(struct sync_store *st, struct page *pg,
                               const struct sync_conn_cursor *at, const char *position,
                               struct sync_err *err)
{
    struct sync_buf payload = SYNC_BUF_INIT(PAYLOAD_MAX);
    const json_t *rec;
    enum sync_rc rc;
    size_t i;

    if ((rc = sync_store_begin(st, err)))
        return rc;
    json_array_foreach(pg->records, i, rec)
    {
        if ((rc = page_put(st, pg, rec, &payload, err)))
            break;
    }
    sync_buf_release(&payload);
    if (rc == SYNC_OK)
        rc = sync_store_cursor_set(st, pg->name, position, err);
    if (rc == SYNC_OK && pg->src->lookback_ms > 0)
        rc = sync_store_seen_prune(st, pg->name, at->ts_ms - pg->src->lookback_ms, err);
    if (rc == SYNC_OK)
        return sync_store_commit(st, err);
    sync_store_rollback(st, NULL);
    return rc;
}

int sync_poll_sweep_due(int64_t last_ms, int64_t now_ms, int64_t every_ms)
{
    return last_ms <= 0 || last_ms > now_ms || now_ms - last_ms >= every_ms;
}

/* Whether this poll re-reads the lookback: on a process's first poll of the source, then at most
 * every SYNC_POLL_SWEEP_EVERY_MS. */
static int64_t lookback_now(struct sync_poll_source *src, int64_t now_ms)
{
    if (src->lookback_ms <= 0 ||
        !sync_poll_sweep_due(src->swept_ms, now_ms, SYNC_POLL_SWEEP_EVERY_MS))
        return 0;
    return src->lookback_ms;
}

enum sync_rc sync_poll_source(struct sync_store *st, struct sync_conn *c,
                              struct sync_poll_source *src, int64_t now_ms,
                              struct sync_poll_result *out, struct sync_err *err)
{
    struct sync_buf before = SYNC_BUF_INIT(CURSOR_MAX), after = SYNC_BUF_INIT(CURSOR_MAX);
    struct sync_conn_window w;
    struct sync_conn_cursor at;
    char name[SYNC_STORE_NAME_MAX];
    enum sync_vendor vendor = sync_conn_vendor(c);
    enum sync_rc rc;
    int64_t floor_ms;
    int absent;

    memset(out, 0, sizeof(*out));
    sync_poll_cursor_name(src, name, sizeof(name));
    if ((rc = cursor_load(st, name, &at, &floor_ms, &absent, err)))
        goto done;
    if (!absent && src->from_now && src->start_ms > floor_ms && src->start_ms <= now_ms) {
        /* its switch was turned off and on again: what changed while it was off is not read */
        memset(&at, 0, sizeof(at));
        at.ts_ms = floor_ms = src->start_ms;
        absent = 1;
    } else if (absent &&
               src->from_now) { /* no initial sync: only what changes from the switch on */
        at.ts_ms = floor_ms = src->start_ms > 0 && src->start_ms <= now_ms ? src->start_ms : now_ms;
    }
    if ((rc = cursor_text(&at, floor_ms, &before)))
        goto nomem;
    if (absent && src->from_now &&
        (rc = sync_store_cursor_set(st, name, sync_buf_str(&before), err)))
        goto done;
    memset(&w, 0, sizeof(w));
    w.object = src->object;
    w.fields = src->fields;
    w.after = at;
    w.lookback_ms = lookback_now(src, now_ms);
    if (floor_ms && w.lookback_ms > at.ts_ms - floor_ms)
        w.lookback_ms = at.ts_ms - floor_ms > 0 ? at.ts_ms - floor_ms : 0;
    w.upper_ms = now_ms;
    w.include_deleted = src->include_deleted;
    w.limit = src->page;
    for (;;) {
        struct sync_conn_batch b;
        struct page pg;

        sync_conn_batch_init(&b);
        if (!b.records) {
            sync_conn_batch_release(&b);
            goto nomem;
        }
        rc = sync_conn_read_changes(c, &w, &b, err);
        if (rc) {
            sync_conn_batch_release(&b);
            goto done;
        }
        out->read += json_array_size(b.records);
        if (keyset_cmp(&b.next, &at) > 0 || b.next.tie != at.tie || b.next.listing || at.listing)
            at = b.next; /* forward only, except a listing's page tokens */
        sync_buf_reset(&after);
        if ((rc = cursor_text(&at, floor_ms, &after))) {
            sync_conn_batch_release(&b);
            goto nomem;
        }
        memset(&pg, 0, sizeof(pg));
        pg.src = src;
        pg.vendor = vendor;
        pg.name = name;
        pg.records = b.records;
        if (json_array_size(b.records) || strcmp(sync_buf_str(&before), sync_buf_str(&after)))
            rc = page_store(st, &pg, &at, sync_buf_str(&after), err);
        out->stored += pg.stored;
        sync_buf_reset(&before);
        if (rc == SYNC_OK && sync_buf_addstr(&before, sync_buf_str(&after)))
            rc = sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
        if (rc == SYNC_OK && b.done)
            out->covered_ms = b.upper_ms;
        if (rc || b.done) {
            sync_conn_batch_release(&b);
            break;
        }
        if (w.lookback_ms)
            src->swept_ms = now_ms;
        w.after = b.next;
        w.lookback_ms = 0;
        sync_conn_batch_release(&b);
    }
    if (rc == SYNC_OK && w.lookback_ms)
        src->swept_ms = now_ms;
    goto done;
nomem:
    rc = sync_err_set(err, SYNC_ERR_NOMEM, "capture: out of memory");
done:
    sync_buf_release(&before);
    sync_buf_release(&after);
    return rc;
}

/* ---- deletes (HubSpot's archived list) ---- */

struct deletes {
    int64_t since;  /* the cursor: archived at or after this */
    json_t *at;     /* ids already captured that were archived exactly at since */
    json_t *fresh;  /* [{"id","deletedAt"}] to capture */
    int64_t newest; /* the latest archive time seen */
    json_t *at_new; /* ids archived at newest */
};

static enum sync_rc deletes_cursor(struct sync_store *st, const char *name, struct deletes *d,
                                   struct sync_err *err)
{
    struct sync_buf pos = SYNC_BUF_INIT(CURSOR_MAX);
    struct sync_err perr = SYNC_ERR_INIT;
    enum sync_rc rc = sync_store_cursor_get(st, name, &pos, NULL, err);
    json_t *j;

    if (rc == SYNC_ERR_NOT_FOUND) {
        sync_err_clear(err);
        sync_buf_release(&pos);
        return SYNC_OK;
    }
    if (rc) {
        sync_buf_release(&pos);
        return rc;
    }
    j = sync_json_parse(pos.data, pos.len, &perr);
    sync_buf_release(&pos);
    if (json_is_object(j)) {
        d->since = sync_json_int(j, "since", 0);
        if (json_is_array(json_object_get(j, "ids")))
            json_array_extend(d->at, json_object_get(j, "ids"));
    }
    json_decref(j);
    return SYNC_OK;
}

static int id_listed(const json_t *ids, const char *id)
{
    const json_t *v;
    size_t i;

    json_array_foreach(ids, i, v)
    {
        if (json_is_string(v) && strcmp(json_string_value(v), id) == 0)
            return 1;
    }
    return 0;
}

static void deletes_take(struct deletes *d, const json_t *records)
{
    const json_t *r;
    size_t i;

    json_array_foreach(records, i, r)
    {
        const char *id = sync_json_str(r, "id");
        int64_t at = sync_json_int(r, "deletedAt", 0);

        if (!id || at < d->since || (at == d->since && id_listed(d->at, id)))
            continue;
        json_array_append(d->fresh, (json_t *)r);
        if (at > d->newest) {
            d->newest = at;
            json_array_clear(d->at_new);
        }
        if (at == d->newest)
            json_array_append_new(d->at_new, json_string(id));
    }
}

static enum sync_rc deletes_store(struct sync_store *st, const struct sync_poll_source *src,
                                  const char *name, struct deletes *d, size_t *stored,
                                  struct sync_err *err)
{
    struct sync_buf payload = SYNC_BUF_INIT(4096), pos = SYNC_BUF_INIT(CURSOR_MAX);
    json_t *cur;
    const json_t *r;
    enum sync_rc rc;
    size_t i;

    if (d->newest == d->since)
        json_array_extend(d->at_new, d->at); /* the same instant: remember both */
    cur = json_pack("{s:I, s:O}", "since",
                    (json_int_t)(d->newest > d->since ? d->newest : d->since), "ids", d->at_new);
    rc = cur ? sync_json_dump(cur, &pos) : SYNC_ERR_NOMEM;
    json_decref(cur);
    if (rc) {
        sync_buf_release(&pos);
        return sync_err_set(err, rc, "capture: the delete cursor of %s is too large", name);
    }
    if ((rc = sync_store_begin(st, err))) {
        sync_buf_release(&pos);
        return rc;
    }
    json_array_foreach(d->fresh, i, r)
    {
        struct sync_change ch;
        json_t *p = json_pack("{s:s, s:b, s:I}", "id", sync_json_str(r, "id"), "archived", 1,
                              "deletedAt", (json_int_t)sync_json_int(r, "deletedAt", 0));
        int put = 0;

        sync_buf_reset(&payload);
        rc = p ? sync_json_dump(p, &payload) : SYNC_ERR_NOMEM;
        json_decref(p);
        if (rc) {
            sync_err_set(err, rc, "capture: out of memory");
            break;
        }
        memset(&ch, 0, sizeof(ch));
        ch.system = src->system;
        ch.object = src->object;
        ch.record_id = sync_json_str(r, "id");
        ch.version = sync_json_int(r, "deletedAt", 0);
        ch.deleted = 1;
        ch.payload = sync_buf_str(&payload);
        if ((rc = sync_store_inbox_put(st, &ch, &put, err)))
            break;
        *stored += put != 0;
    }
    if (rc == SYNC_OK)
        rc = sync_store_cursor_set(st, name, sync_buf_str(&pos), err);
    if (rc == SYNC_OK)
        rc = sync_store_commit(st, err);
    else
        sync_store_rollback(st, NULL);
    sync_buf_release(&payload);
    sync_buf_release(&pos);
    return rc;
}

enum sync_rc sync_poll_deletes(struct sync_store *st, struct sync_conn *c,
                               const struct sync_poll_source *src, struct sync_poll_result *out,
                               struct sync_err *err)
{
    struct deletes d;
    char name[SYNC_STORE_NAME_MAX];
    enum sync_rc rc;
    struct sync_conn_batch b;

    memset(out, 0, sizeof(*out));
    memset(&d, 0, sizeof(d));
    snprintf(name, sizeof(name), "%s:%s:deleted", src->system, src->object);
    d.at = json_array();
    d.fresh = json_array();
    d.at_new = json_array();
    sync_conn_batch_init(&b);
    if (!d.at || !d.fresh || !d.at_new || !b.records) {
        rc = sync_err_set(err, SYNC_ERR_NOMEM, "capture: out of memory");
        goto done;
    }
    if ((rc = deletes_cursor(st, name, &d, err)))
        goto done;
    d.newest = d.since;
    /* the list pages through every archived record: collect it all, then store it at once, so
     * the cursor never moves past a page not read yet */
    do {
        json_array_clear(b.records);
        if ((rc = sync_conn_read_deletes(c, src->object, d.since, 0, &b, err)))
            goto done;
        out->read += json_array_size(b.records);
        deletes_take(&d, b.records);
    } while (b.after[0]);
    if (json_array_size(d.fresh))
        rc = deletes_store(st, src, name, &d, &out->stored, err);
done:
    sync_conn_batch_release(&b);
    json_decref(d.at);
    json_decref(d.fresh);
    json_decref(d.at_new);
    return rc;
}
