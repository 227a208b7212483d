/*
 * seed.c: deterministic, realistic records for --seed N and POST
 * /__emu/seed. N companies, contacts, deals, tickets, tasks, notes, calls,
 * e-mails and meetings, associated the way a real portal is (contacts to
 * their company as primary, deals to a company and contacts, tickets and
 * activities to contacts), with the untidiness of real data: contacts
 * without e-mail, look-alike duplicates (same name, another address),
 * "n/a" phones, inconsistent country spellings, upper-case names, blank
 * amounts. The same portal history and N give the same records.
 *
 * Called by main.c and control.c with the portal lock held.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/time.h"
#include "emulators/hubspot/portal.h"

static const char *const firsts[] = {"Ada",     "Grace",  "Alan",    "Linus",  "Margaret", "Ken",
                                     "Barbara", "Edsger", "Frances", "Donald", "Hedy",     "Tim",
                                     "Radia",   "Guido",  "Sophie",  "João",   "Yuki",     "Priya"};
static const char *const lasts[] = {"Lovelace", "Hopper",      "Turing",   "Torvalds",   "Hamilton",
                                    "Thompson", "Liskov",      "Dijkstra", "Allen",      "Knuth",
                                    "Lamarr",   "Berners-Lee", "Perlman",  "van Rossum", "Wilson",
                                    "Silva",    "Tanaka",      "Patel"};
static const char *const companies[] = {
    "Acme",   "Globex",    "Initech", "Umbrella", "Hooli", "Vandelay",  "Stark",   "Wayne",
    "Tyrell", "Cyberdyne", "Soylent", "Aperture", "Wonka", "Gringotts", "Monarch", "Oscorp"};
static const char *const suffixes[] = {"Inc", "LLC", "Ltd", "GmbH", "S.A.", "Corp"};
static const char *const countries[] = {
    "United States", "USA", "U.S.", "Brazil", "Brasil", "Japan", "Germany", "United Kingdom", "UK"};
static const char *const stages[] = {"appointmentscheduled",
                                     "qualifiedtobuy",
                                     "presentationscheduled",
                                     "decisionmakerboughtin",
                                     "contractsent",
                                     "closedwon",
                                     "closedlost"};
static const char *const lifecycle[] = {
    "subscriber",         "lead",        "marketingqualifiedlead",
    "salesqualifiedlead", "opportunity", "customer"};
static const char *const products[] = {"Annual licence", "Onboarding", "Support plan",
                                       "Expansion",      "Renewal",    "Pilot"};

#define PICK(r, a) (a[emu_rng_below(r, sizeof(a) / sizeof(a[0]))])

struct seeder {
    struct hs_portal *p;
    struct emu_rng rng;
    struct hs_source src;
    uint64_t base; /* records before this run: keeps names and domains unique across runs */
    int64_t now;
    const char *owners[8];
    size_t nowners;
};

static struct hs_record *make(struct seeder *s, enum hs_type t, json_t *props)
{
    struct hs_write w = {0};
    struct hs_record *r = NULL, *x = NULL;
    json_t *err = props_check_write_trusted(s->p, t, props, &w);
    json_decref(props);
    if (err) {
        json_decref(err);
        return NULL;
    }
    if (t == HS_DEALS || t == HS_TICKETS)
        pipes_fill_defaults(s->p, t, &w);
    r = obj_create(s->p, t, &w, &s->src, &x);
    hs_write_release(&w);
    return r;
}

static void when(struct seeder *s, int64_t days_back, char *out, size_t n)
{
    int64_t ms = s->now - (int64_t)emu_rng_below(&s->rng, (uint64_t)days_back * 86400000ULL);
    sync_time_format_iso(ms - ms % 1000, out, n);
}

static const char *owner(struct seeder *s)
{
    if (!s->nowners || emu_rng_below(&s->rng, 5) == 0)
        return NULL;
    return s->owners[emu_rng_below(&s->rng, s->nowners)];
}

static void set_opt(json_t *o, const char *k, const char *v)
{
    if (v)
        json_object_set_new(o, k, json_string(v));
}

static void link(struct seeder *s, struct hs_record *a, struct hs_record *b)
{
    int32_t id;
    if (!a || !b)
        return;
    id = assoc_default_type(s->p, a->type, b->type);
    if (id)
        assoc_add(s->p, a, b, 0, id, &s->src);
}

static const char *get(struct seeder *s, const struct hs_record *r, const char *name)
{
    return r ? hs_record_get(r, props_find(s->p, r->type, name)) : NULL;
}

/* A random record of v (n of them), or NULL when there are none. */
static struct hs_record *any_of(struct seeder *s, struct hs_record **v, int64_t n)
{
    return n ? v[emu_rng_below(&s->rng, (uint64_t)n)] : NULL;
}

static struct hs_record *seed_company(struct seeder *s, int64_t k)
{
    uint64_t g = s->base + (uint64_t)k;
    const char *co = PICK(&s->rng, companies);
    char name[128], domain[128], at[SYNC_TIME_ISO_MAX];
    json_t *props = json_object();

    snprintf(name, sizeof(name), "%s %s", co, PICK(&s->rng, suffixes));
    snprintf(domain, sizeof(domain), "%s%llu.example.com", co, (unsigned long long)g);
    for (char *q = domain; *q; q++)
        *q = (char)(*q >= 'A' && *q <= 'Z' ? *q + 32 : *q);
    when(s, 900, at, sizeof(at));
    json_object_set_new(props, "name", json_string(name));
    json_object_set_new(props, "domain", json_string(k % 7 == 3 ? "" : domain));
    if (k % 5 == 1) {
        char www[160];
        snprintf(www, sizeof(www), "http://www.%s/", domain);
        json_object_set_new(props, "website", json_string(www));
    }
    json_object_set_new(props, "phone",
                        json_string(k % 6 == 2 ? "n/a"
                                    : k % 2    ? "+1 555 0100"
                                               : "(555) 010-0199"));
    json_object_set_new(props, "country", json_string(PICK(&s->rng, countries)));
    json_object_set_new(props, "numberofemployees",
                        json_sprintf("%d", (int)emu_rng_below(&s->rng, 5000) + 1));
    json_object_set_new(props, "createdate", json_string(at));
    set_opt(props, "hubspot_owner_id", owner(s));
    return make(s, HS_COMPANIES, props);
}

/* The e-mail of contact k: at its company's domain, or (a look-alike of the previous contact)
 * a personal address. Bytes an address cannot hold become 'x'. */
static void contact_email(struct seeder *s, int64_t k, const char *f, const char *l,
                          const struct hs_record *co, int lookalike, char *out, size_t n)
{
    uint64_t g = s->base + (uint64_t)k;
    const char *domain = get(s, co, "domain");
    if (lookalike)
        snprintf(out, n, "%s.%s.%llu@gmail.test", f, l, (unsigned long long)g);
    else
        snprintf(out, n, "%s.%s%llu@%s", f, l, (unsigned long long)g,
                 domain ? domain : "example.com");
    for (char *q = out; *q; q++)
        if (*q == ' ' || (unsigned char)*q >= 0x80)
            *q = 'x';
}

/* Contact k, working at a random company of cos (n of them), returned in *co. */
static struct hs_record *seed_contact(struct seeder *s, int64_t k, struct hs_record **cos,
                                      int64_t n, const struct hs_record *prev,
                                      struct hs_record **co)
{
    const char *f = PICK(&s->rng, firsts), *l = PICK(&s->rng, lasts);
    char email[192], at[SYNC_TIME_ISO_MAX], up[64];
    int lookalike = k % 11 == 5 && prev && get(s, prev, "firstname") && get(s, prev, "lastname");
    json_t *props = json_object();

    *co = any_of(s, cos, n);
    when(s, 700, at, sizeof(at));
    if (lookalike) {
        /* same name as the previous contact, personal address */
        f = get(s, prev, "firstname");
        l = get(s, prev, "lastname");
    }
    contact_email(s, k, f, l, *co, k % 11 == 5 && k > 0, email, sizeof(email));
    if (k % 13 == 7) {
        size_t m;
        for (m = 0; f[m] && m + 1 < sizeof(up); m++)
            up[m] = (char)(f[m] >= 'a' && f[m] <= 'z' ? f[m] - 32 : f[m]);
        up[m] = '\0';
        f = up;
    }
    json_object_set_new(props, "firstname", json_string(f));
    json_object_set_new(props, "lastname", json_string(l));
    if (k % 9 != 4)
        json_object_set_new(props, "email", json_string(email));
    json_object_set_new(props, "phone", json_string(k % 8 == 6 ? "n/a" : "+1 555 0142"));
    json_object_set_new(props, "lifecyclestage", json_string(PICK(&s->rng, lifecycle)));
    json_object_set_new(props, "country", json_string(PICK(&s->rng, countries)));
    set_opt(props, "company", get(s, *co, "name"));
    json_object_set_new(props, "createdate", json_string(at));
    set_opt(props, "hubspot_owner_id", owner(s));
    return make(s, HS_CONTACTS, props);
}

static struct hs_record *seed_deal(struct seeder *s, int64_t k, const struct hs_record *co)
{
    char name[192], at[SYNC_TIME_ISO_MAX], close[SYNC_TIME_ISO_MAX];
    const char *co_name = get(s, co, "name");
    json_t *props = json_object();

    snprintf(name, sizeof(name), "%s - %s", co_name ? co_name : "Direct", PICK(&s->rng, products));
    when(s, 400, at, sizeof(at));
    when(s, 120, close, sizeof(close));
    json_object_set_new(props, "dealname", json_string(name));
    if (k % 10 != 9)
        json_object_set_new(props, "amount",
                            json_sprintf("%d.%02d", (int)emu_rng_below(&s->rng, 90000) + 500,
                                         (int)emu_rng_below(&s->rng, 100)));
    json_object_set_new(props, "dealstage", json_string(PICK(&s->rng, stages)));
    json_object_set_new(props, "pipeline", json_string("default"));
    json_object_set_new(props, "closedate", json_string(close));
    json_object_set_new(props, "createdate", json_string(at));
    set_opt(props, "hubspot_owner_id", owner(s));
    return make(s, HS_DEALS, props);
}

static struct hs_record *seed_ticket(struct seeder *s)
{
    static const char *const subj[] = {"Cannot log in", "Invoice is wrong",
                                       "Feature request: export", "Password reset",
                                       "Slow dashboard"};
    static const char *const prio[] = {"LOW", "MEDIUM", "HIGH"};
    static const char *const st[] = {"1", "2", "3", "4"};
    char at[SYNC_TIME_ISO_MAX];
    json_t *props = json_object();

    when(s, 200, at, sizeof(at));
    json_object_set_new(props, "subject", json_string(PICK(&s->rng, subj)));
    json_object_set_new(props, "content", json_string("Reported by the customer by e-mail."));
    json_object_set_new(props, "hs_pipeline", json_string("0"));
    json_object_set_new(props, "hs_pipeline_stage", json_string(PICK(&s->rng, st)));
    json_object_set_new(props, "hs_ticket_priority", json_string(PICK(&s->rng, prio)));
    json_object_set_new(props, "createdate", json_string(at));
    return make(s, HS_TICKETS, props);
}

/* The properties only one kind of activity has. */
static void activity_props(struct seeder *s, int t, int64_t k, const char *at, json_t *props)
{
    switch (t) {
    case HS_TASKS:
        set_opt(props, "hs_task_subject", "Follow up");
        set_opt(props, "hs_task_body", "Call back about pricing");
        set_opt(props, "hs_task_status", k % 3 ? "NOT_STARTED" : "COMPLETED");
        set_opt(props, "hs_task_priority", "MEDIUM");
        set_opt(props, "hs_task_type", k % 2 ? "CALL" : "TODO");
        break;
    case HS_NOTES:
        set_opt(props, "hs_note_body", "Met at the conference; interested in a pilot.");
        break;
    case HS_CALLS:
        set_opt(props, "hs_call_title", "Discovery call");
        set_opt(props, "hs_call_body", "Discussed requirements.");
        set_opt(props, "hs_call_direction", k % 2 ? "INBOUND" : "OUTBOUND");
        json_object_set_new(props, "hs_call_duration",
                            json_sprintf("%d", (int)emu_rng_below(&s->rng, 3600000)));
        set_opt(props, "hs_call_status", "COMPLETED");
        break;
    case HS_EMAILS:
        set_opt(props, "hs_email_subject", "Re: proposal");
        set_opt(props, "hs_email_text", "Thanks, looks good.");
        set_opt(props, "hs_email_direction", "EMAIL");
        set_opt(props, "hs_email_status", "SENT");
        break;
    default:
        set_opt(props, "hs_meeting_title", "Quarterly review");
        set_opt(props, "hs_meeting_body", "Agenda: renewal.");
        set_opt(props, "hs_meeting_start_time", at);
        set_opt(props, "hs_meeting_end_time", at);
        set_opt(props, "hs_meeting_outcome", "COMPLETED");
        break;
    }
}

static struct hs_record *seed_activity(struct seeder *s, int t, int64_t k)
{
    char at[SYNC_TIME_ISO_MAX];
    json_t *props = json_object();
    when(s, 300, at, sizeof(at));
    json_object_set_new(props, "hs_timestamp", json_string(at));
    json_object_set_new(props, "hs_createdate", json_string(at));
    set_opt(props, "hubspot_owner_id", owner(s));
    activity_props(s, t, k, at, props);
    return make(s, (enum hs_type)t, props);
}

static void seeder_init(struct seeder *s, struct hs_portal *p, int64_t n)
{
    size_t i;
    json_t *o;
    int64_t now = sync_time_now_ms();
    memset(s, 0, sizeof(*s));
    s->p = p;
    s->base = p->st[HS_CONTACTS].n + p->st[HS_COMPANIES].n;
    emu_rng_init(&s->rng, 0x5eed0000ULL + (uint64_t)n * 7919 + s->base);
    s->src.type = "IMPORT";
    s->src.change_source = "IMPORT";
    s->now = now - now % 86400000; /* dates count back from today's midnight: same N, same day,
                                      same records */
    json_array_foreach(p->owners, i, o)
    {
        if (!json_is_true(json_object_get(o, "archived")) && s->nowners < 8)
            s->owners[s->nowners++] = sync_json_str(o, "id");
    }
}

json_t *seed_run(struct hs_portal *p, int64_t n)
{
    struct seeder s;
    struct hs_record **cos = calloc((size_t)n + 1, sizeof(*cos));
    struct hs_record **cts = calloc((size_t)n + 1, sizeof(*cts));
    int64_t counts[HS_NTYPES] = {0};
    json_t *created;

    seeder_init(&s, p, n);
    for (int64_t k = 0; cos && cts && k < n; k++) {
        cos[k] = seed_company(&s, k);
        counts[HS_COMPANIES] += cos[k] != NULL;
    }
    for (int64_t k = 0; cos && cts && k < n; k++) {
        struct hs_record *co;
        cts[k] = seed_contact(&s, k, cos, n, k ? cts[k - 1] : NULL, &co);
        counts[HS_CONTACTS] += cts[k] != NULL;
        if (cts[k] && co)
            assoc_add(p, cts[k], co, 0, 1, &s.src); /* the primary company */
    }
    for (int64_t k = 0; cos && cts && k < n; k++) {
        struct hs_record *co = any_of(&s, cos, n), *ct = any_of(&s, cts, n);
        struct hs_record *d = seed_deal(&s, k, co);
        counts[HS_DEALS] += d != NULL;
        if (d && co)
            assoc_add(p, d, co, 0, 5, &s.src); /* the primary company */
        link(&s, d, ct);
    }
    for (int64_t k = 0; cos && cts && k < n; k++) {
        struct hs_record *ct = any_of(&s, cts, n), *tk = seed_ticket(&s);
        counts[HS_TICKETS] += tk != NULL;
        link(&s, tk, ct);
    }
    for (int t = HS_TASKS; t <= HS_MEETINGS; t++) {
        for (int64_t k = 0; cos && cts && k < n; k++) {
            struct hs_record *ct = any_of(&s, cts, n), *r = seed_activity(&s, t, k);
            counts[t] += r != NULL;
            link(&s, r, ct);
        }
    }
    free(cos);
    free(cts);
    created = json_object();
    for (int t = 0; t < HS_NTYPES; t++)
        json_object_set_new(created, hs_types[t].name, json_integer((json_int_t)counts[t]));
    return json_pack("{s:o}", "created", created);
}
