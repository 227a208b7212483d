/*
 * webhooks.c: app webhooks. Subscriptions and the target URL come from the
 * webhooks management API (/webhooks/v3/{appId}/settings and
 * /subscriptions, developer API key). Record writers call the wh_on_*
 * hooks (portal lock held), which turn matching subscriptions into events
 * on a bounded queue. A sender thread takes batches of at most
 * webhook_batch_size events, POSTs them as a JSON array signed with v1 (or
 * v2) and v3 signatures and X-HubSpot-Request-Timestamp, and retries a
 * failed batch (connection error, timeout, any 4xx/5xx) with exponential
 * backoff from webhook_retry_base_ms, up to webhook_max_retries times, the
 * same events with attemptNumber counting up. Every attempt is logged for
 * GET /__emu/webhooks/deliveries.
 *
 * Locking: subscriptions live under the portal lock; the queue, the retry
 * list, the target and the log under wh->lock. The sender never holds
 * wh->lock while it takes the portal lock or sends.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/crypto.h"
#include "core/http_client.h"
#include "core/json.h"
#include "core/log.h"
#include "core/time.h"
#include "emulators/hubspot/portal.h"

#define QUEUE_MAX 100000
#define LOG_MAX 10000
#define RETRY_MAX 10000

struct wh_sub {
    int64_t id;
    char event[64];
    char prop[128];
    char object_type[16];
    int active;
    int64_t created, updated;
};

struct wh_batch {
    json_t *events; /* array */
    int attempt;
    int64_t due; /* monotonic ms */
};

/* Events waiting to go out, oldest first: a ring that grows up to QUEUE_MAX and then drops its
 * oldest event for each new one. */
struct wh_queue {
    json_t **v;
    size_t cap, head, n;
};

struct hs_webhooks {
    struct hs_portal *p;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    pthread_t thread;
    int running, stop;
    /* under the portal lock */
    struct wh_sub *subs;
    size_t nsubs, csubs;
    int64_t next_sub;
    int64_t next_event;
    /* under wh->lock */
    char target[1024];
    int max_concurrent;
    int64_t settings_created, settings_updated;
    struct wh_queue queue;
    int64_t dropped;
    struct wh_batch *retry;
    size_t nretry;
    json_t *log;
    int64_t batch_size, retry_base, max_retries, timeout_ms, window_ms;
    int64_t first_at; /* monotonic time the oldest queued event arrived */
    int legacy_v2;
};

/* ---- signatures ---- */

static void decode_uri(const char *in, struct sync_buf *out)
{
    static const char *const from[] = {"%3A", "%2F", "%3F", "%40", "%21", "%24", "%27",
                                       "%28", "%29", "%2A", "%2C", "%3B", NULL};
    static const char to[] = ":/?@!$'()*,;";
    while (*in) {
        int done = 0;
        if (*in == '%') {
            for (size_t i = 0; from[i]; i++) {
                if (strncasecmp(in, from[i], 3) == 0) {
                    sync_buf_addch(out, to[i]);
                    in += 3;
                    done = 1;
                    break;
                }
            }
        }
        if (!done)
            sync_buf_addch(out, *in++);
    }
}

void wh_sign(const char *secret, const char *method, const char *url, const char *body,
             const char *timestamp, struct sync_buf *v1, struct sync_buf *v2, struct sync_buf *v3)
{
    struct sync_buf src = SYNC_BUF_INIT(64 * 1024 * 1024);
    struct sync_buf uri = SYNC_BUF_INIT(64 * 1024);
    if (v1) {
        sync_buf_addstr(&src, secret);
        sync_buf_addstr(&src, body);
        sync_sha256_hex(src.data, src.len, v1);
        sync_buf_reset(&src);
    }
    if (v2) {
        sync_buf_addstr(&src, secret);
        sync_buf_addstr(&src, method);
        sync_buf_addstr(&src, url);
        sync_buf_addstr(&src, body);
        sync_sha256_hex(src.data, src.len, v2);
        sync_buf_reset(&src);
    }
    if (v3) {
        decode_uri(url, &uri);
        sync_buf_addstr(&src, method);
        sync_buf_addstr(&src, sync_buf_str(&uri));
        sync_buf_addstr(&src, body);
        sync_buf_addstr(&src, timestamp);
        sync_hmac_sha256_b64(secret, strlen(secret), src.data, src.len, v3);
    }
    sync_buf_release(&src);
    sync_buf_release(&uri);
}

/* ---- event generation (portal lock held) ---- */

static struct hs_webhooks *W(struct hs_portal *p)
{
    return p->wh;
}

static const char *source_id(const struct hs_source *src, char *buf, size_t n)
{
    if (src->user_id && strcmp(src->type, "CRM_UI") == 0)
        snprintf(buf, n, "userId:%lld", (long long)src->user_id);
    else
        snprintf(buf, n, "%s", src->id);
    return buf;
}

static json_t *queue_pop(struct wh_queue *q)
{
    json_t *ev = q->v[q->head];
    q->head = (q->head + 1) % q->cap;
    q->n--;
    return ev;
}

static void queue_clear(struct wh_queue *q)
{
    while (q->n)
        json_decref(queue_pop(q));
}

static void queue_release(struct wh_queue *q)
{
    queue_clear(q);
    free(q->v);
    memset(q, 0, sizeof(*q));
}

/* Appends ev (stolen); 1 when the oldest event had to go to make room. */
static int queue_push(struct wh_queue *q, json_t *ev)
{
    int dropped = 0;
    if (q->n == q->cap && q->cap < QUEUE_MAX) {
        size_t cap = q->cap ? q->cap * 2 : 256;
        json_t **v = malloc((cap > QUEUE_MAX ? QUEUE_MAX : cap) * sizeof(*v));
        if (v) {
            for (size_t i = 0; i < q->n; i++)
                v[i] = q->v[(q->head + i) % q->cap];
            free(q->v);
            q->v = v;
            q->cap = cap > QUEUE_MAX ? QUEUE_MAX : cap;
            q->head = 0;
        }
    }
    if (q->n == q->cap) {
        if (!q->cap) {
            json_decref(ev);
            return 1;
        }
        json_decref(queue_pop(q));
        dropped = 1;
    }
    q->v[(q->head + q->n) % q->cap] = ev;
    q->n++;
    return dropped;
}

static void enqueue(struct hs_webhooks *w, json_t *ev)
{
    pthread_mutex_lock(&w->lock);
    if (!w->target[0]) {
        /* no target URL: HubSpot has nowhere to deliver, the event is not kept */
        pthread_mutex_unlock(&w->lock);
        json_decref(ev);
        return;
    }
    if (!w->queue.n)
        w->first_at = sync_time_monotonic_ms();
    w->dropped += queue_push(&w->queue, ev);
    if ((int64_t)w->queue.n >= w->batch_size)
        pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->lock);
}

/* Calls emit for every active subscription matching type/kind (and property). */
static void each_sub(struct hs_portal *p, int type, const char *kind, const char *prop,
                     void (*emit)(struct hs_portal *, const struct wh_sub *, const char *, void *),
                     void *arg)
{
    struct hs_webhooks *w = W(p);
    char want[96];
    const char *prefix = hs_types[type].webhook;
    if (!w || !w->nsubs)
        return;
    if (prefix)
        snprintf(want, sizeof(want), "%s.%s", prefix, kind);
    for (size_t i = 0; i < w->nsubs; i++) {
        const struct wh_sub *s = &w->subs[i];
        char subtype[96];
        if (!s->active)
            continue;
        if (prefix && strcmp(s->event, want) == 0) {
            snprintf(subtype, sizeof(subtype), "%s", want);
        } else if (strncmp(s->event, "object.", 7) == 0 && strcmp(s->event + 7, kind) == 0 &&
                   strcmp(s->object_type, hs_types[type].type_id) == 0) {
            snprintf(subtype, sizeof(subtype), "%s", s->event);
        } else {
            continue;
        }
        if (prop && s->prop[0] && strcmp(s->prop, prop) != 0)
            continue;
        if (prop && !s->prop[0])
            continue;
        emit(p, s, subtype, arg);
    }
}

static json_t *base_event(struct hs_portal *p, const struct wh_sub *s, const char *subtype,
                          uint64_t object_id, int type, const struct hs_source *src)
{
    struct hs_webhooks *w = W(p);
    char sid[96];
    json_t *e = json_pack("{s:I, s:I, s:i, s:i, s:I, s:s, s:i, s:I, s:s, s:s}", "eventId",
                          (json_int_t)w->next_event++, "subscriptionId", (json_int_t)s->id,
                          "portalId", HS_PORTAL_ID, "appId", HS_APP_ID, "occurredAt",
                          (json_int_t)sync_time_now_ms(), "subscriptionType", subtype,
                          "attemptNumber", 0, "objectId", (json_int_t)object_id, "changeSource",
                          src->change_source, "sourceId", source_id(src, sid, sizeof(sid)));
    if (strncmp(subtype, "object.", 7) == 0)
        json_object_set_new(e, "objectTypeId", json_string(hs_types[type].type_id));
    return e;
}

struct ev_arg {
    const struct hs_record *r;
    const struct hs_source *src;
    const char *flag;
    const char *name, *value;
};

static void emit_simple(struct hs_portal *p, const struct wh_sub *s, const char *subtype, void *arg)
{
    struct ev_arg *a = arg;
    json_t *e = base_event(p, s, subtype, a->r->id, a->r->type, a->src);
    if (a->flag)
        json_object_set_new(e, "changeFlag", json_string(a->flag));
    if (a->name) {
        json_object_set_new(e, "propertyName", json_string(a->name));
        json_object_set_new(e, "propertyValue", json_string(a->value ? a->value : ""));
    }
    enqueue(W(p), e);
}

void wh_on_create(struct hs_portal *p, const struct hs_record *r, const struct hs_source *src)
{
    struct ev_arg a = {r, src, "CREATED", NULL, NULL};
    each_sub(p, r->type, "creation", NULL, emit_simple, &a);
}

void wh_on_delete(struct hs_portal *p, const struct hs_record *r, const struct hs_source *src,
                  int privacy)
{
    struct ev_arg a = {r, src, "DELETED", NULL, NULL};
    each_sub(p, r->type, "deletion", NULL, emit_simple, &a);
    if (privacy)
        each_sub(p, r->type, "privacyDeletion", NULL, emit_simple, &a);
}

void wh_on_restore(struct hs_portal *p, const struct hs_record *r, const struct hs_source *src)
{
    struct ev_arg a = {r, src, "RESTORED", NULL, NULL};
    each_sub(p, r->type, "restore", NULL, emit_simple, &a);
}

void wh_on_property(struct hs_portal *p, const struct hs_record *r, const char *name,
                    const char *value, const struct hs_source *src)
{
    struct ev_arg a = {r, src, NULL, name, value};
    each_sub(p, r->type, "propertyChange", name, emit_simple, &a);
}

struct assoc_arg {
    const struct hs_record *from, *to;
    int32_t type_id;
    int removed;
    const struct hs_source *src;
};

static void emit_assoc(struct hs_portal *p, const struct wh_sub *s, const char *subtype, void *arg)
{
    struct assoc_arg *a = arg;
    const struct hs_label *l = assoc_label(p, a->type_id, -1);
    char at[96];
    size_t i;
    json_t *e = base_event(p, s, subtype, a->from->id, a->from->type, a->src);
    snprintf(at, sizeof(at), "%s_TO_%s", hs_types[a->from->type].singular,
             hs_types[a->to->type].singular);
    for (i = 0; at[i]; i++)
        at[i] = (char)(at[i] >= 'a' && at[i] <= 'z' ? at[i] - 32 : at[i]);
    json_object_set_new(e, "associationType", json_string(at));
    json_object_set_new(e, "associationTypeId", json_integer(a->type_id));
    json_object_set_new(e, "fromObjectId", json_integer((json_int_t)a->from->id));
    json_object_set_new(e, "toObjectId", json_integer((json_int_t)a->to->id));
    json_object_set_new(e, "associationRemoved", json_boolean(a->removed));
    json_object_set_new(e, "isPrimaryAssociation",
                        json_boolean(l && l->label && strcmp(l->label, "Primary") == 0));
    enqueue(W(p), e);
}

void wh_on_assoc(struct hs_portal *p, const struct hs_record *from, const struct hs_record *to,
                 int32_t type_id, int removed, const struct hs_source *src)
{
    struct assoc_arg a = {from, to, type_id, removed, src};
    each_sub(p, from->type, "associationChange", NULL, emit_assoc, &a);
}

struct merge_arg {
    const struct hs_record *primary;
    uint64_t merged, new_id;
    size_t moved;
    const struct hs_source *src;
};

static void emit_merge(struct hs_portal *p, const struct wh_sub *s, const char *subtype, void *arg)
{
    struct merge_arg *a = arg;
    json_t *e = base_event(p, s, subtype, a->new_id, a->primary->type, a->src);
    json_object_set_new(e, "primaryObjectId", json_integer((json_int_t)a->primary->id));
    json_object_set_new(e, "mergedObjectIds", json_pack("[I]", (json_int_t)a->merged));
    json_object_set_new(e, "newObjectId", json_integer((json_int_t)a->new_id));
    json_object_set_new(e, "numberOfPropertiesMoved", json_integer((json_int_t)a->moved));
    enqueue(W(p), e);
}

void wh_on_merge(struct hs_portal *p, const struct hs_record *primary, uint64_t merged_id,
                 uint64_t new_id, size_t moved, const struct hs_source *src)
{
    struct merge_arg a = {primary, merged_id, new_id, moved, src};
    each_sub(p, primary->type, "merge", NULL, emit_merge, &a);
}

/* ---- the sender ---- */

static void log_attempt(struct hs_webhooks *w, const char *url, long status, int attempt, size_t n,
                        const char *error)
{
    char iso[SYNC_TIME_ISO_MAX];
    json_t *e;
    sync_time_format_iso(sync_time_now_ms(), iso, sizeof(iso));
    e = json_pack("{s:s, s:s, s:i, s:i, s:I}", "at", iso, "url", url, "status", (int)status,
                  "attempt", attempt, "events", (json_int_t)n);
    if (error)
        json_object_set_new(e, "error", json_string(error));
    if (json_array_size(w->log) >= LOG_MAX)
        json_array_remove(w->log, 0);
    json_array_append_new(w->log, e);
}

static int deliver(struct sync_http_client *hc, const char *url, json_t *events, int attempt,
                   long timeout_ms, int v2, long *status, char *errmsg, size_t errlen)
{
    struct sync_buf body = SYNC_BUF_INIT(64 * 1024 * 1024);
    struct sync_buf s1 = SYNC_BUF_INIT(256), s3 = SYNC_BUF_INIT(256);
    struct sync_http_req req;
    struct sync_http_resp resp;
    struct sync_err err = SYNC_ERR_INIT;
    char ts[32], h1[400], h2[64], h3[400], h4[64];
    const char *headers[6];
    size_t i;
    json_t *e;
    int ok;

    json_array_foreach(events, i, e) json_object_set_new(e, "attemptNumber", json_integer(attempt));
    sync_json_dump(events, &body);
    snprintf(ts, sizeof(ts), "%lld", (long long)(sync_time_now_ms() - sync_time_offset_ms()));
    wh_sign(HS_CLIENT_SECRET, "POST", url, sync_buf_str(&body), ts, v2 ? NULL : &s1,
            v2 ? &s1 : NULL, &s3);
    snprintf(h1, sizeof(h1), "X-HubSpot-Signature: %s", sync_buf_str(&s1));
    snprintf(h2, sizeof(h2), "X-HubSpot-Signature-Version: %s", v2 ? "v2" : "v1");
    snprintf(h3, sizeof(h3), "X-HubSpot-Signature-v3: %s", sync_buf_str(&s3));
    snprintf(h4, sizeof(h4), "X-HubSpot-Request-Timestamp: %s", ts);
    headers[0] = "Content-Type: application/json";
    headers[1] = h1;
    headers[2] = h2;
    headers[3] = h3;
    headers[4] = h4;
    headers[5] = NULL;
    memset(&req, 0, sizeof(req));
    req.method = "POST";
    req.url = url;
    req.headers = headers;
    req.body = body.data;
    req.body_len = body.len;
    req.timeout_ms = timeout_ms;
    memset(&resp, 0, sizeof(resp));
    ok = sync_http_client_do(hc, &req, &resp, &err) == SYNC_OK && resp.status >= 200 &&
         resp.status < 300;
    *status = resp.status;
    if (!ok)
        snprintf(errmsg, errlen, "%.200s", err.message[0] ? err.message : "non-2xx answer");
    sync_http_resp_release(&resp);
    sync_buf_release(&body);
    sync_buf_release(&s1);
    sync_buf_release(&s3);
    return ok;
}

static void wait_ms(struct hs_webhooks *w, int64_t ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += (time_t)(ms / 1000);
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&w->cond, &w->lock, &ts);
}

/* Takes the first retry that is due into b; the earliest due time of the others goes to
 * *next_due. 1 when one was taken. */
static int take_retry(struct hs_webhooks *w, int64_t now, struct wh_batch *b, int64_t *next_due)
{
    *next_due = INT64_MAX;
    for (size_t i = 0; i < w->nretry; i++) {
        if (w->retry[i].due <= now) {
            *b = w->retry[i];
            w->retry[i] = w->retry[--w->nretry];
            return 1;
        }
        if (w->retry[i].due < *next_due)
            *next_due = w->retry[i].due;
    }
    return 0;
}

/* Events that happen together go out together: while the queue is short of a batch and the
 * oldest event is younger than the window, wait (ms through *wait). */
static int hold_for_window(const struct hs_webhooks *w, int64_t now, int64_t *wait)
{
    if (!w->queue.n || (int64_t)w->queue.n >= w->batch_size || now - w->first_at >= w->window_ms)
        return 0;
    *wait = w->window_ms - (now - w->first_at);
    return 1;
}

/* Moves up to webhook_batch_size queued events into b. */
static void take_batch(struct hs_webhooks *w, struct wh_batch *b)
{
    b->events = json_array();
    b->attempt = 0;
    while (w->queue.n && (int64_t)json_array_size(b->events) < w->batch_size)
        json_array_append_new(b->events, queue_pop(&w->queue));
    w->first_at = sync_time_monotonic_ms();
}

/* After a failed attempt: again after retry_base * 2^attempt (+ up to 10 % jitter), while
 * attempts and room remain. Takes b's events either way. */
static void schedule_retry(struct hs_webhooks *w, struct wh_batch b, struct emu_rng *rng)
{
    int64_t delay = w->retry_base;
    struct wh_batch *v;
    if (b.attempt >= w->max_retries || w->nretry >= RETRY_MAX ||
        !(v = realloc(w->retry, (w->nretry + 1) * sizeof(*v)))) {
        json_decref(b.events);
        return;
    }
    w->retry = v;
    for (int k = 0; k < b.attempt && delay < 3600000; k++)
        delay *= 2;
    delay += (int64_t)emu_rng_below(rng, (uint64_t)(delay / 10 + 1));
    b.attempt++;
    b.due = sync_time_monotonic_ms() + delay;
    w->retry[w->nretry++] = b;
}

/* Sends b to the target (without holding w->lock), logs the attempt, and retries or drops
 * it. */
static void send_batch(struct hs_webhooks *w, struct sync_http_client *hc, struct wh_batch b,
                       struct emu_rng *rng)
{
    char url[1024], errmsg[256] = "";
    long status = 0, timeout = (long)w->timeout_ms;
    int v2 = w->legacy_v2, ok;

    snprintf(url, sizeof(url), "%s", w->target);
    pthread_mutex_unlock(&w->lock);
    ok = deliver(hc, url, b.events, b.attempt, timeout, v2, &status, errmsg, sizeof(errmsg));
    pthread_mutex_lock(&w->lock);
    log_attempt(w, url, status, b.attempt, json_array_size(b.events), ok ? NULL : errmsg);
    if (ok)
        json_decref(b.events);
    else
        schedule_retry(w, b, rng);
}

/* The sender thread: due retries first, then batches from the queue. */
static void *sender(void *arg)
{
    struct hs_webhooks *w = arg;
    struct sync_http_client hc;
    struct emu_rng rng;

    if (sync_http_client_init(&hc, 0) != SYNC_OK)
        return NULL;
    emu_rng_init(&rng, 7);
    pthread_mutex_lock(&w->lock);
    while (!w->stop) {
        int64_t now = sync_time_monotonic_ms(), next_due, wait = 200;
        struct wh_batch b = {NULL, 0, 0};
        int have = take_retry(w, now, &b, &next_due);
        if (!have && w->target[0] && hold_for_window(w, now, &wait)) {
            if (next_due - now < wait)
                wait = next_due - now;
        } else if (!have && w->target[0] && w->queue.n) {
            take_batch(w, &b);
            have = 1;
        } else if (!have && next_due != INT64_MAX) {
            wait = next_due - now < 200 ? next_due - now : 200;
        }
        if (!have) {
            wait_ms(w, wait < 1 ? 1 : wait);
            continue;
        }
        if (!w->target[0])
            json_decref(b.events);
        else
            send_batch(w, &hc, b, &rng);
    }
    pthread_mutex_unlock(&w->lock);
    sync_http_client_release(&hc);
    return NULL;
}

static void sync_settings(struct hs_portal *p)
{
    struct hs_webhooks *w = W(p);
    pthread_mutex_lock(&w->lock);
    w->batch_size = p->settings.webhook_batch_size;
    w->retry_base = p->settings.webhook_retry_base_ms;
    w->max_retries = p->settings.webhook_max_retries;
    w->timeout_ms = p->settings.webhook_timeout_ms;
    w->window_ms = p->settings.webhook_batch_window_ms;
    w->legacy_v2 = p->settings.webhook_signature_v2;
    pthread_mutex_unlock(&w->lock);
}

int webhooks_start(struct hs_portal *p)
{
    struct hs_webhooks *w = calloc(1, sizeof(*w));
    if (!w)
        return -1;
    w->p = p;
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->cond, NULL);
    w->log = json_array();
    w->next_sub = 1;
    w->next_event = 1;
    w->max_concurrent = 10;
    p->wh = w;
    sync_settings(p);
    if (pthread_create(&w->thread, NULL, sender, w) != 0)
        return -1;
    w->running = 1;
    return 0;
}

void webhooks_stop(struct hs_portal *p)
{
    struct hs_webhooks *w = W(p);
    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    w->stop = 1;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->lock);
    if (w->running)
        pthread_join(w->thread, NULL);
    for (size_t i = 0; i < w->nretry; i++)
        json_decref(w->retry[i].events);
    free(w->retry);
    free(w->subs);
    queue_release(&w->queue);
    json_decref(w->log);
    pthread_cond_destroy(&w->cond);
    pthread_mutex_destroy(&w->lock);
    free(w);
    p->wh = NULL;
}

void webhooks_reset(struct hs_portal *p)
{
    struct hs_webhooks *w = W(p);
    if (!w)
        return;
    w->nsubs = 0;
    w->next_sub = 1;
    pthread_mutex_lock(&w->lock);
    w->target[0] = '\0';
    queue_clear(&w->queue);
    json_array_clear(w->log);
    for (size_t i = 0; i < w->nretry; i++)
        json_decref(w->retry[i].events);
    w->nretry = 0;
    w->dropped = 0;
    pthread_mutex_unlock(&w->lock);
    sync_settings(p);
}

void webhooks_settings_changed(struct hs_portal *p)
{
    sync_settings(p);
}

json_t *wh_deliveries_json(struct hs_portal *p)
{
    struct hs_webhooks *w = W(p);
    json_t *o;
    pthread_mutex_lock(&w->lock);
    o = json_pack("{s:O, s:I, s:I, s:I}", "deliveries", w->log, "pending", (json_int_t)w->queue.n,
                  "retrying", (json_int_t)w->nretry, "dropped", (json_int_t)w->dropped);
    pthread_mutex_unlock(&w->lock);
    return o;
}

/* ---- the management API ---- */

static int app_ok(struct hs_ctx *c)
{
    char want[32];
    snprintf(want, sizeof(want), "%d", HS_APP_ID);
    if (strcmp(c->params[0], want) != 0) {
        hs_fail(c, 404, "OBJECT_NOT_FOUND", "App %s not found", c->params[0]);
        return 0;
    }
    return 1;
}

static json_t *settings_json(struct hs_webhooks *w)
{
    char a[SYNC_TIME_ISO_MAX], b[SYNC_TIME_ISO_MAX];
    sync_time_format_iso(w->settings_created, a, sizeof(a));
    sync_time_format_iso(w->settings_updated, b, sizeof(b));
    return json_pack("{s:s, s:{s:i, s:s}, s:s, s:s}", "targetUrl", w->target, "throttling",
                     "maxConcurrentRequests", w->max_concurrent, "period", "SECONDLY", "createdAt",
                     a, "updatedAt", b);
}

void wh_h_settings_get(struct hs_ctx *c)
{
    struct hs_webhooks *w = W(c->p);
    json_t *o = NULL;
    if (!app_ok(c))
        return;
    pthread_mutex_lock(&w->lock);
    if (w->target[0])
        o = settings_json(w);
    pthread_mutex_unlock(&w->lock);
    if (!o) {
        hs_fail(c, 404, "OBJECT_NOT_FOUND", "No webhook settings for app %s", c->params[0]);
        return;
    }
    hs_reply(c, 200, o);
}

void wh_h_settings_put(struct hs_ctx *c)
{
    struct hs_webhooks *w = W(c->p);
    const char *url = sync_json_str(c->body, "targetUrl");
    json_t *thr = json_object_get(c->body, "throttling");
    json_t *o;
    if (!app_ok(c))
        return;
    if (!url || (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) ||
        strlen(url) >= sizeof(w->target)) {
        hs_fail(c, 400, "VALIDATION_ERROR", "targetUrl must be an http or https URL");
        return;
    }
    pthread_mutex_lock(&w->lock);
    if (!w->target[0])
        w->settings_created = sync_time_now_ms();
    w->settings_updated = sync_time_now_ms();
    snprintf(w->target, sizeof(w->target), "%s", url);
    if (json_is_object(thr)) {
        int64_t m = sync_json_int(thr, "maxConcurrentRequests", w->max_concurrent);
        w->max_concurrent = (int)(m < 5 ? 5 : m > 100 ? 100 : m);
    }
    o = settings_json(w);
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->lock);
    persist_mark(c->p);
    hs_reply(c, 200, o);
}

void wh_h_settings_delete(struct hs_ctx *c)
{
    struct hs_webhooks *w = W(c->p);
    if (!app_ok(c))
        return;
    pthread_mutex_lock(&w->lock);
    w->target[0] = '\0';
    queue_clear(&w->queue);
    pthread_mutex_unlock(&w->lock);
    persist_mark(c->p);
    hs_reply(c, 204, NULL);
}

static json_t *sub_json(const struct wh_sub *s)
{
    char id[32], a[SYNC_TIME_ISO_MAX], b[SYNC_TIME_ISO_MAX];
    json_t *o;
    snprintf(id, sizeof(id), "%lld", (long long)s->id);
    sync_time_format_iso(s->created, a, sizeof(a));
    sync_time_format_iso(s->updated, b, sizeof(b));
    o = json_pack("{s:s, s:s, s:b, s:s, s:s}", "id", id, "eventType", s->event, "active", s->active,
                  "createdAt", a, "updatedAt", b);
    if (s->prop[0])
        json_object_set_new(o, "propertyName", json_string(s->prop));
    if (s->object_type[0])
        json_object_set_new(o, "objectTypeId", json_string(s->object_type));
    return o;
}

void wh_h_subs_list(struct hs_ctx *c)
{
    struct hs_webhooks *w = W(c->p);
    json_t *a;
    if (!app_ok(c))
        return;
    a = json_array();
    for (size_t i = 0; i < w->nsubs; i++)
        json_array_append_new(a, sub_json(&w->subs[i]));
    hs_reply(c, 200, json_pack("{s:o}", "results", a));
}

static int event_ok(const char *ev)
{
    static const char *const objs[] = {"contact",   "company", "deal",         "ticket", "product",
                                       "line_item", "object",  "conversation", NULL};
    static const char *const kinds[] = {"creation",          "deletion",   "propertyChange",
                                        "associationChange", "merge",      "restore",
                                        "privacyDeletion",   "newMessage", NULL};
    const char *dot = ev ? strchr(ev, '.') : NULL;
    int o = 0, k = 0;
    if (!dot)
        return 0;
    for (size_t i = 0; objs[i]; i++)
        o |= strlen(objs[i]) == (size_t)(dot - ev) && strncmp(ev, objs[i], (size_t)(dot - ev)) == 0;
    for (size_t i = 0; kinds[i]; i++)
        k |= strcmp(dot + 1, kinds[i]) == 0;
    return o && k;
}

void wh_h_sub_create(struct hs_ctx *c)
{
    struct hs_webhooks *w = W(c->p);
    const char *ev = sync_json_str(c->body, "eventType");
    const char *prop = sync_json_str(c->body, "propertyName");
    const char *ot = sync_json_str(c->body, "objectTypeId");
    struct wh_sub *s;
    if (!app_ok(c))
        return;
    if (!event_ok(ev)) {
        hs_fail(c, 400, "VALIDATION_ERROR", "Invalid eventType %s", ev ? ev : "(missing)");
        return;
    }
    if (strstr(ev, "propertyChange") && (!prop || !*prop)) {
        hs_fail(c, 400, "VALIDATION_ERROR", "propertyName is required for %s subscriptions", ev);
        return;
    }
    if (strncmp(ev, "object.", 7) == 0 && hs_type_parse(ot) < 0) {
        hs_fail(c, 400, "VALIDATION_ERROR", "objectTypeId is required for %s subscriptions", ev);
        return;
    }
    for (size_t i = 0; i < w->nsubs; i++) {
        if (strcmp(w->subs[i].event, ev) == 0 && strcmp(w->subs[i].prop, prop ? prop : "") == 0 &&
            strcmp(w->subs[i].object_type, ot ? hs_types[hs_type_parse(ot)].type_id : "") == 0) {
            hs_fail(c, 409, "CONFLICT", "A subscription for %s %s already exists", ev,
                    prop ? prop : "");
            return;
        }
    }
    if (w->nsubs == w->csubs) {
        size_t cap = w->csubs ? w->csubs * 2 : 16;
        struct wh_sub *v = realloc(w->subs, cap * sizeof(*v));
        if (!v) {
            hs_fail(c, 500, "INTERNAL_ERROR", "out of memory");
            return;
        }
        w->subs = v;
        w->csubs = cap;
    }
    s = &w->subs[w->nsubs++];
    memset(s, 0, sizeof(*s));
    s->id = w->next_sub++;
    snprintf(s->event, sizeof(s->event), "%s", ev);
    snprintf(s->prop, sizeof(s->prop), "%s", prop ? prop : "");
    if (ot && hs_type_parse(ot) >= 0)
        snprintf(s->object_type, sizeof(s->object_type), "%s", hs_types[hs_type_parse(ot)].type_id);
    s->active = sync_json_bool(c->body, "active", 1);
    s->created = s->updated = sync_time_now_ms();
    persist_mark(c->p);
    hs_reply(c, 201, sub_json(s));
}

static struct wh_sub *sub_param(struct hs_ctx *c, size_t *idx)
{
    struct hs_webhooks *w = W(c->p);
    int64_t id = strtoll(c->params[1], NULL, 10);
    for (size_t i = 0; i < w->nsubs; i++)
        if (w->subs[i].id == id) {
            if (idx)
                *idx = i;
            return &w->subs[i];
        }
    hs_fail(c, 404, "OBJECT_NOT_FOUND", "Subscription %s not found", c->params[1]);
    return NULL;
}

void wh_h_sub_get(struct hs_ctx *c)
{
    struct wh_sub *s;
    if (!app_ok(c) || !(s = sub_param(c, NULL)))
        return;
    hs_reply(c, 200, sub_json(s));
}

void wh_h_sub_update(struct hs_ctx *c)
{
    struct wh_sub *s;
    json_t *a;
    if (!app_ok(c) || !(s = sub_param(c, NULL)))
        return;
    a = json_object_get(c->body, "active");
    if (!json_is_boolean(a)) {
        hs_fail(c, 400, "VALIDATION_ERROR", "Invalid input JSON: active must be a boolean");
        return;
    }
    s->active = json_is_true(a);
    s->updated = sync_time_now_ms();
    persist_mark(c->p);
    hs_reply(c, 200, sub_json(s));
}

void wh_h_sub_delete(struct hs_ctx *c)
{
    struct hs_webhooks *w = W(c->p);
    size_t idx;
    if (!app_ok(c) || !sub_param(c, &idx))
        return;
    memmove(&w->subs[idx], &w->subs[idx + 1], (w->nsubs - idx - 1) * sizeof(*w->subs));
    w->nsubs--;
    persist_mark(c->p);
    hs_reply(c, 204, NULL);
}

void wh_h_subs_batch_update(struct hs_ctx *c)
{
    struct hs_webhooks *w = W(c->p);
    json_t *inputs, *in, *res, *errors;
    int64_t started = sync_time_now_ms();
    size_t i;
    if (!app_ok(c))
        return;
    if (!(inputs = hs_inputs(c, HS_BATCH_MAX)))
        return;
    res = json_array();
    errors = json_array();
    json_array_foreach(inputs, i, in)
    {
        int64_t id = sync_json_int(in, "id", -1);
        int found = 0;
        for (size_t k = 0; k < w->nsubs; k++) {
            if (w->subs[k].id != id)
                continue;
            w->subs[k].active = sync_json_bool(in, "active", w->subs[k].active);
            w->subs[k].updated = sync_time_now_ms();
            json_array_append_new(res, sub_json(&w->subs[k]));
            found = 1;
        }
        if (!found)
            json_array_append_new(errors,
                                  hs_error_body("OBJECT_NOT_FOUND", NULL, NULL, NULL,
                                                "Subscription %lld not found", (long long)id));
    }
    persist_mark(c->p);
    hs_reply_batch(c, 200, started, res, errors);
}

/* For persist.c. */
json_t *wh_dump(struct hs_portal *p)
{
    struct hs_webhooks *w = W(p);
    json_t *subs = json_array(), *o;
    for (size_t i = 0; i < w->nsubs; i++)
        json_array_append_new(subs, sub_json(&w->subs[i]));
    pthread_mutex_lock(&w->lock);
    o = json_pack("{s:o, s:s, s:i, s:I, s:I, s:I, s:I}", "subscriptions", subs, "targetUrl",
                  w->target, "maxConcurrentRequests", w->max_concurrent, "created",
                  (json_int_t)w->settings_created, "updated", (json_int_t)w->settings_updated,
                  "next_sub", (json_int_t)w->next_sub, "next_event", (json_int_t)w->next_event);
    pthread_mutex_unlock(&w->lock);
    return o;
}

void wh_load(struct hs_portal *p, const json_t *j)
{
    struct hs_webhooks *w = W(p);
    json_t *subs = json_object_get(j, "subscriptions"), *s;
    size_t i;
    w->nsubs = 0;
    json_array_foreach(subs, i, s)
    {
        struct wh_sub *v;
        int64_t a, b;
        if (w->nsubs == w->csubs) {
            size_t cap = w->csubs ? w->csubs * 2 : 16;
            v = realloc(w->subs, cap * sizeof(*v));
            if (!v)
                return;
            w->subs = v;
            w->csubs = cap;
        }
        v = &w->subs[w->nsubs++];
        memset(v, 0, sizeof(*v));
        v->id = strtoll(sync_json_str(s, "id") ? sync_json_str(s, "id") : "0", NULL, 10);
        snprintf(v->event, sizeof(v->event), "%s",
                 sync_json_str(s, "eventType") ? sync_json_str(s, "eventType") : "");
        snprintf(v->prop, sizeof(v->prop), "%s",
                 sync_json_str(s, "propertyName") ? sync_json_str(s, "propertyName") : "");
        snprintf(v->object_type, sizeof(v->object_type), "%s",
                 sync_json_str(s, "objectTypeId") ? sync_json_str(s, "objectTypeId") : "");
        v->active = sync_json_bool(s, "active", 1);
        v->created = sync_json_str(s, "createdAt") &&
                             sync_time_parse(sync_json_str(s, "createdAt"), &a) == SYNC_OK
                         ? a
                         : 0;
        v->updated = sync_json_str(s, "updatedAt") &&
                             sync_time_parse(sync_json_str(s, "updatedAt"), &b) == SYNC_OK
                         ? b
                         : 0;
    }
    w->next_sub = sync_json_int(j, "next_sub", 1);
    w->next_event = sync_json_int(j, "next_event", 1);
    pthread_mutex_lock(&w->lock);
    snprintf(w->target, sizeof(w->target), "%s",
             sync_json_str(j, "targetUrl") ? sync_json_str(j, "targetUrl") : "");
    w->max_concurrent = (int)sync_json_int(j, "maxConcurrentRequests", 10);
    w->settings_created = sync_json_int(j, "created", 0);
    w->settings_updated = sync_json_int(j, "updated", 0);
    pthread_mutex_unlock(&w->lock);
}
