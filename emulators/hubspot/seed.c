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

json_t *seed_run(struct hs_portal *p, int64_t n)
{
    struct seeder s;
    struct hs_record **cos, **cts;
    int64_t counts[HS_NTYPES] = {0};
    json_t *created;
    size_t i;
    json_t *o;
    uint64_t base = p->st[HS_CONTACTS].n + p->st[HS_COMPANIES].n;

    memset(&s, 0, sizeof(s));
    s.p = p;
    emu_rng_init(&s.rng, 0x5eed0000ULL + (uint64_t)n * 7919 + base);
    s.src.type = "IMPORT";
    s.src.change_source = "IMPORT";
    s.now = sync_time_now_ms();
    json_array_foreach(p->owners, i, o)
    {
        if (!json_is_true(json_object_get(o, "archived")) && s.nowners < 8)
            s.owners[s.nowners++] = sync_json_str(o, "id");
    }
    cos = calloc((size_t)n + 1, sizeof(*cos));
    cts = calloc((size_t)n + 1, sizeof(*cts));
    if (!cos || !cts) {
        free(cos);
        free(cts);
        return json_pack("{s:{}}", "created");
    }
    for (int64_t k = 0; k < n; k++) {
        uint64_t g = base + (uint64_t)k;
        const char *co = PICK(&s.rng, companies);
        char name[128], domain[128], at[SYNC_TIME_ISO_MAX];
        json_t *props = json_object();
        snprintf(name, sizeof(name), "%s %s", co, PICK(&s.rng, suffixes));
        snprintf(domain, sizeof(domain), "%s%llu.example.com", co, (unsigned long long)g);
        for (char *q = domain; *q; q++)
            *q = (char)(*q >= 'A' && *q <= 'Z' ? *q + 32 : *q);
        when(&s, 900, at, sizeof(at));
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
        json_object_set_new(props, "country", json_string(PICK(&s.rng, countries)));
        json_object_set_new(props, "numberofemployees",
                            json_sprintf("%d", (int)emu_rng_below(&s.rng, 5000) + 1));
        json_object_set_new(props, "createdate", json_string(at));
        set_opt(props, "hubspot_owner_id", owner(&s));
        cos[k] = make(&s, HS_COMPANIES, props);
        counts[HS_COMPANIES] += cos[k] != NULL;
    }
    for (int64_t k = 0; k < n; k++) {
        uint64_t g = base + (uint64_t)k;
        const char *f = PICK(&s.rng, firsts), *l = PICK(&s.rng, lasts);
        char email[192], at[SYNC_TIME_ISO_MAX], up[64];
        json_t *props = json_object();
        struct hs_record *co = cos[emu_rng_below(&s.rng, (uint64_t)n)];
        when(&s, 700, at, sizeof(at));
        if (k % 11 == 5 && k > 0) {
            /* a look-alike of the previous contact: same name, personal address */
            struct hs_record *prev = cts[k - 1];
            const char *pf =
                prev ? hs_record_get(prev, props_find(p, HS_CONTACTS, "firstname")) : NULL;
            const char *pl =
                prev ? hs_record_get(prev, props_find(p, HS_CONTACTS, "lastname")) : NULL;
            if (pf && pl) {
                f = pf;
                l = pl;
            }
            snprintf(email, sizeof(email), "%s.%s.%llu@gmail.test", f, l, (unsigned long long)g);
        } else {
            snprintf(email, sizeof(email), "%s.%s%llu@%s", f, l, (unsigned long long)g,
                     co ? hs_record_get(co, props_find(p, HS_COMPANIES, "domain"))
                              ? hs_record_get(co, props_find(p, HS_COMPANIES, "domain"))
                              : "example.com"
                        : "example.com");
        }
        for (char *q = email; *q; q++)
            if (*q == ' ' || (unsigned char)*q >= 0x80)
                *q = 'x';
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
        json_object_set_new(props, "lifecyclestage", json_string(PICK(&s.rng, lifecycle)));
        json_object_set_new(props, "country", json_string(PICK(&s.rng, countries)));
        if (co)
            json_object_set_new(
                props, "company",
                json_string(hs_record_get(co, props_find(p, HS_COMPANIES, "name"))));
        json_object_set_new(props, "createdate", json_string(at));
        set_opt(props, "hubspot_owner_id", owner(&s));
        cts[k] = make(&s, HS_CONTACTS, props);
        counts[HS_CONTACTS] += cts[k] != NULL;
        if (cts[k] && co) {
            assoc_add(p, cts[k], co, 0, 1, &s.src);
        }
    }
    for (int64_t k = 0; k < n; k++) {
        struct hs_record *co = cos[emu_rng_below(&s.rng, (uint64_t)n)];
        struct hs_record *ct = cts[emu_rng_below(&s.rng, (uint64_t)n)];
        char name[192], at[SYNC_TIME_ISO_MAX], close[SYNC_TIME_ISO_MAX];
        json_t *props = json_object();
        struct hs_record *d;
        snprintf(name, sizeof(name), "%s - %s",
                 co ? hs_record_get(co, props_find(p, HS_COMPANIES, "name")) : "Direct",
                 PICK(&s.rng, products));
        when(&s, 400, at, sizeof(at));
        when(&s, 120, close, sizeof(close));
        json_object_set_new(props, "dealname", json_string(name));
        if (k % 10 != 9)
            json_object_set_new(props, "amount",
                                json_sprintf("%d.%02d", (int)emu_rng_below(&s.rng, 90000) + 500,
                                             (int)emu_rng_below(&s.rng, 100)));
        json_object_set_new(props, "dealstage", json_string(PICK(&s.rng, stages)));
        json_object_set_new(props, "pipeline", json_string("default"));
        json_object_set_new(props, "closedate", json_string(close));
        json_object_set_new(props, "createdate", json_string(at));
        set_opt(props, "hubspot_owner_id", owner(&s));
        d = make(&s, HS_DEALS, props);
        counts[HS_DEALS] += d != NULL;
        if (d && co)
            assoc_add(p, d, co, 0, 5, &s.src);
        link(&s, d, ct);
    }
    for (int64_t k = 0; k < n; k++) {
        struct hs_record *ct = cts[emu_rng_below(&s.rng, (uint64_t)n)];
        static const char *const subj[] = {"Cannot log in", "Invoice is wrong",
                                           "Feature request: export", "Password reset",
                                           "Slow dashboard"};
        static const char *const prio[] = {"LOW", "MEDIUM", "HIGH"};
        static const char *const st[] = {"1", "2", "3", "4"};
        char at[SYNC_TIME_ISO_MAX];
        json_t *props = json_object();
        struct hs_record *t;
        when(&s, 200, at, sizeof(at));
        json_object_set_new(props, "subject", json_string(PICK(&s.rng, subj)));
        json_object_set_new(props, "content", json_string("Reported by the customer by e-mail."));
        json_object_set_new(props, "hs_pipeline", json_string("0"));
        json_object_set_new(props, "hs_pipeline_stage", json_string(PICK(&s.rng, st)));
        json_object_set_new(props, "hs_ticket_priority", json_string(PICK(&s.rng, prio)));
        json_object_set_new(props, "createdate", json_string(at));
        t = make(&s, HS_TICKETS, props);
        counts[HS_TICKETS] += t != NULL;
        link(&s, t, ct);
    }
    for (int t = HS_TASKS; t <= HS_MEETINGS; t++) {
        for (int64_t k = 0; k < n; k++) {
            struct hs_record *ct = cts[emu_rng_below(&s.rng, (uint64_t)n)];
            char at[SYNC_TIME_ISO_MAX];
            json_t *props = json_object();
            struct hs_record *r;
            when(&s, 300, at, sizeof(at));
            json_object_set_new(props, "hs_timestamp", json_string(at));
            set_opt(props, "hubspot_owner_id", owner(&s));
            switch (t) {
            case HS_TASKS:
                json_object_set_new(props, "hs_task_subject", json_string("Follow up"));
                json_object_set_new(props, "hs_task_body", json_string("Call back about pricing"));
                json_object_set_new(props, "hs_task_status",
                                    json_string(k % 3 ? "NOT_STARTED" : "COMPLETED"));
                json_object_set_new(props, "hs_task_priority", json_string("MEDIUM"));
                json_object_set_new(props, "hs_task_type", json_string(k % 2 ? "CALL" : "TODO"));
                break;
            case HS_NOTES:
                json_object_set_new(props, "hs_note_body",
                                    json_string("Met at the conference; interested in a pilot."));
                break;
            case HS_CALLS:
                json_object_set_new(props, "hs_call_title", json_string("Discovery call"));
                json_object_set_new(props, "hs_call_body", json_string("Discussed requirements."));
                json_object_set_new(props, "hs_call_direction",
                                    json_string(k % 2 ? "INBOUND" : "OUTBOUND"));
                json_object_set_new(props, "hs_call_duration",
                                    json_sprintf("%d", (int)emu_rng_below(&s.rng, 3600000)));
                json_object_set_new(props, "hs_call_status", json_string("COMPLETED"));
                break;
            case HS_EMAILS:
                json_object_set_new(props, "hs_email_subject", json_string("Re: proposal"));
                json_object_set_new(props, "hs_email_text", json_string("Thanks, looks good."));
                json_object_set_new(props, "hs_email_direction", json_string("EMAIL"));
                json_object_set_new(props, "hs_email_status", json_string("SENT"));
                break;
            default:
                json_object_set_new(props, "hs_meeting_title", json_string("Quarterly review"));
                json_object_set_new(props, "hs_meeting_body", json_string("Agenda: renewal."));
                json_object_set_new(props, "hs_meeting_start_time", json_string(at));
                json_object_set_new(props, "hs_meeting_end_time", json_string(at));
                json_object_set_new(props, "hs_meeting_outcome", json_string("COMPLETED"));
                break;
            }
            r = make(&s, (enum hs_type)t, props);
            counts[t] += r != NULL;
            link(&s, r, ct);
        }
    }
    free(cos);
    free(cts);
    p->seed_rounds++;
    created = json_object();
    for (int t = 0; t < HS_NTYPES; t++)
        json_object_set_new(created, hs_types[t].name, json_integer((json_int_t)counts[t]));
    return json_pack("{s:o}", "created", created);
}
