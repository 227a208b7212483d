/*
 * seed.c: deterministic, realistic records for --seed N and
 * POST /__emu/seed: N accounts, contacts (with accounts), leads,
 * opportunities (with contact roles), cases, tasks, events, campaigns and
 * campaign members. The same N (and the same number of earlier seed
 * calls) always gives the same records. Like real orgs, the data carries
 * duplicate e-mail addresses across leads and contacts, records owned by
 * inactive users, and untidy but accepted values (phone formats, state
 * and country spellings, "[not provided]" companies, websites without a
 * scheme). server_seed_bad_values adds, on request, the values careless
 * imports leave behind: leads and contacts without an e-mail or with one
 * no mail system accepts. Called with the org write lock held.
 */
#include <stdio.h>
#include <string.h>

#include "core/time.h"
#include "emulators/salesforce/api.h"

static const char *const first_names[] = {
    "Ada",    "Grace", "Alan",   "Linus", "Margaret", "Katherine", "Dennis", "Barbara",
    "Ken",    "Hedy",  "Tim",    "Radia", "Yukihiro", "Haruki",    "Sakura", "Kenji",
    "Joao",   "Maria", "Ana",    "Pedro", "Luiza",    "Rafael",    "Chloe",  "Lucas",
    "Emma",   "Noah",  "Olivia", "Liam",  "Sofia",    "Mateo",     "Priya",  "Arjun",
    "Fatima", "Omar",  "Ingrid", "Lars",  "Aoife",    "Sean",      "Mei",    "Wei"};
static const char *const last_names[] = {
    "Lovelace", "Hopper", "Turing",   "Torvalds", "Hamilton",  "Johnson", "Ritchie", "Liskov",
    "Thompson", "Lamarr", "Berners",  "Perlman",  "Matsumoto", "Tanaka",  "Sato",    "Suzuki",
    "Silva",    "Santos", "Oliveira", "Souza",    "Costa",     "Pereira", "Martin",  "Bernard",
    "Smith",    "Garcia", "Brown",    "Miller",   "Rossi",     "Ferrari", "Sharma",  "Patel",
    "Haddad",   "Nasser", "Larsen",   "Nielsen",  "Murphy",    "Kelly",   "Chen",    "Wang"};
static const char *const company_words[] = {
    "Acme",      "Globex",  "Initech", "Umbrella",   "Stark",    "Wayne",   "Wonka",    "Tyrell",
    "Cyberdyne", "Soylent", "Hooli",   "Pied Piper", "Vandelay", "Massive", "Aperture", "Monarch",
    "Sakura",    "Fuji",    "Ipanema", "Paulista",   "Nordic",   "Celtic",  "Andes",    "Sahara"};
static const char *const company_suffixes[] = {"Inc.", "LLC",      "Corp",    "Ltd",
                                               "GmbH", "S.A.",     "K.K.",    "Group",
                                               "Labs", "Holdings", "Systems", "Ltda."};
static const char *const titles[] = {"CEO",
                                     "CTO",
                                     "VP Sales",
                                     "VP Marketing",
                                     "Director of IT",
                                     "Office Manager",
                                     "Engineer",
                                     "Buyer",
                                     "Head of Operations",
                                     "Marketing Manager",
                                     "Procurement Lead",
                                     "Consultant"};
/* city, state as people type it, country as people type it */
static const char *const places[][3] = {{"San Francisco", "CA", "USA"},
                                        {"Austin", "Texas", "United States"},
                                        {"New York", "NY", "US"},
                                        {"Seattle", "Wash.", "United States"},
                                        {"Chicago", "IL", "U.S."},
                                        {"Boston", "Massachusetts", "United States"},
                                        {"Toronto", "ON", "Canada"},
                                        {"Vancouver", "British Columbia", "Canada"},
                                        {"London", NULL, "United Kingdom"},
                                        {"Dublin", NULL, "Ireland"},
                                        {"Berlin", NULL, "Germany"},
                                        {"Paris", NULL, "France"},
                                        {"Tokyo", "Tokyo", "Japan"},
                                        {"Osaka", NULL, "Japan"},
                                        {"Sao Paulo", "SP", "Brazil"},
                                        {"Rio de Janeiro", "RJ", "Brasil"},
                                        {"Sydney", "NSW", "Australia"},
                                        {"Mexico City", NULL, "Mexico"},
                                        {"Montevideo", "Montevideo", "Uruguay"},
                                        {"Lisbon", NULL, "Portugal"}};
static const char *const industries[] = {"Technology",    "Finance",       "Healthcare", "Retail",
                                         "Manufacturing", "Education",     "Consulting", "Media",
                                         "Energy",        "Transportation"};
static const char *const lead_sources[] = {"Web", "Phone Inquiry", "Partner Referral",
                                           "Purchased List", "Other"};
static const char *const lead_statuses[] = {"Open - Not Contacted", "Working - Contacted",
                                            "Closed - Not Converted"};
static const char *const stages[] = {
    "Prospecting",          "Qualification",      "Needs Analysis", "Value Proposition",
    "Proposal/Price Quote", "Negotiation/Review", "Closed Won",     "Closed Lost"};
static const char *const case_statuses[] = {"New", "Working", "Escalated", "Closed"};
static const char *const case_subjects[] = {"Cannot log in",
                                            "Invoice is wrong",
                                            "Feature request: export",
                                            "Sync is slow",
                                            "Password reset not received",
                                            "Integration error 500",
                                            "Question about pricing",
                                            "Data missing after import"};
static const char *const task_subjects[] = {"Call",  "Send quote", "Follow up",
                                            "Email", "Demo",       "Check in on renewal"};
static const char *const task_statuses[] = {"Not Started", "In Progress", "Completed", "Deferred"};
static const char *const priorities[] = {"High", "Normal", "Low"};
static const char *const case_priorities[] = {"High", "Medium", "Low"};
static const char *const origins[] = {"Phone", "Email", "Web"};
static const char *const campaign_types[] = {"Webinar", "Conference", "Email", "Trade Show",
                                             "Advertisement"};
static const char *const roles[] = {"Decision Maker", "Economic Buyer", "Evaluator",
                                    "Technical Buyer", "Influencer"};

#define PICK(rng, arr) (arr)[emu_rng_below((rng), sizeof(arr) / sizeof((arr)[0]))]

struct seeder {
    struct sf_server *srv;
    struct emu_rng rng;
    int64_t now;
    const char *owners[8];
    size_t nowners;
    json_t *accounts, *contacts, *leads, *opps, *campaigns; /* ids */
    json_t *emails;                                         /* contact e-mails */
};

static void lower_word(const char *in, char *out, size_t n)
{
    size_t j = 0;
    for (size_t i = 0; in[i] && j + 1 < n; i++) {
        char ch = in[i];
        if (ch >= 'A' && ch <= 'Z')
            ch = (char)(ch + 32);
        if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'))
            out[j++] = ch;
    }
    out[j] = '\0';
}

static int64_t past(struct seeder *s, int64_t max_days)
{
    int64_t back = (int64_t)emu_rng_below(&s->rng, (uint64_t)(max_days * 86400)) + 60;
    return s->now - back * 1000;
}

static const char *owner(struct seeder *s)
{
    return s->owners[emu_rng_below(&s->rng, s->nowners)];
}

static void phone(struct seeder *s, char *out, size_t n)
{
    unsigned a = (unsigned)emu_rng_below(&s->rng, 800) + 200,
             b = (unsigned)emu_rng_below(&s->rng, 900) + 100,
             c = (unsigned)emu_rng_below(&s->rng, 10000);
    switch (emu_rng_below(&s->rng, 4)) {
    case 0:
        snprintf(out, n, "(%03u) %03u-%04u", a, b, c);
        break;
    case 1:
        snprintf(out, n, "+1 %03u %03u %04u", a, b, c);
        break;
    case 2:
        snprintf(out, n, "%03u.%03u.%04u", a, b, c);
        break;
    default:
        snprintf(out, n, "%03u%03u%04u", a, b, c);
    }
}

/* Stores a record created at `created` and last modified at `modified` (never later than now:
 * a record stamped in the future would stay out of every "changed since" read until then). */
static struct sf_rec *put(struct seeder *s, const char *object, json_t *fields, int64_t created,
                          int64_t modified, const char *by)
{
    struct sf_rec *r = server_insert_raw(s->srv, NULL, object, fields, created, by);
    if (modified > s->now)
        modified = s->now;
    if (r && modified > created) {
        json_object_set_new(r->data, "LastModifiedDate", org_time_json(modified));
        json_object_set_new(r->data, "SystemModstamp", org_time_json(modified));
        r->modstamp = modified;
    }
    return r;
}

static void company_name(struct seeder *s, char *out, size_t n)
{
    snprintf(out, n, "%s %s", PICK(&s->rng, company_words), PICK(&s->rng, company_suffixes));
}

static void seed_accounts(struct seeder *s, int64_t n)
{
    for (int64_t i = 0; i < n; i++) {
        char name[128], site[160], ph[32], dom[96];
        const char *const *pl = places[emu_rng_below(&s->rng, sizeof(places) / sizeof(places[0]))];
        int64_t created = past(s, 400);
        json_t *a;
        struct sf_rec *r;
        company_name(s, name, sizeof(name));
        lower_word(name, dom, sizeof(dom));
        /* about one website in five is typed without a scheme */
        snprintf(site, sizeof(site), "%s%s.example.com",
                 emu_rng_below(&s->rng, 5) ? "https://www." : "", dom);
        phone(s, ph, sizeof(ph));
        a = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "Name", name, "Website", site, "Phone", ph,
                      "Industry", PICK(&s->rng, industries), "BillingCity", pl[0], "BillingCountry",
                      pl[2]);
        if (pl[1])
            json_object_set_new(a, "BillingState", json_string(pl[1]));
        json_object_set_new(a, "NumberOfEmployees",
                            json_integer((json_int_t)emu_rng_below(&s->rng, 5000) + 5));
        json_object_set_new(a, "AnnualRevenue",
                            json_real((double)(emu_rng_below(&s->rng, 500) + 1) * 100000.0));
        json_object_set_new(
            a, "Type", json_string(emu_rng_below(&s->rng, 3) ? "Customer - Direct" : "Prospect"));
        json_object_set_new(a, "OwnerId", json_string(owner(s)));
        r = put(s, "Account", a, created, created + (int64_t)emu_rng_below(&s->rng, 86400) * 1000,
                NULL);
        if (r)
            json_array_append_new(s->accounts, json_string(r->id));
    }
}

static void person(struct seeder *s, json_t *rec, const char *domain, char *email, size_t en)
{
    const char *first = PICK(&s->rng, first_names), *last = PICK(&s->rng, last_names);
    char f[64], l[64], ph[32];
    lower_word(first, f, sizeof(f));
    lower_word(last, l, sizeof(l));
    snprintf(email, en, "%s.%s%u@%s", f, l, (unsigned)emu_rng_below(&s->rng, 100), domain);
    phone(s, ph, sizeof(ph));
    /* a few names come in lower case, as typed into a web form */
    if (emu_rng_below(&s->rng, 15) == 0) {
        json_object_set_new(rec, "FirstName", json_string(f));
        json_object_set_new(rec, "LastName", json_string(l));
    } else {
        json_object_set_new(rec, "FirstName", json_string(first));
        json_object_set_new(rec, "LastName", json_string(last));
    }
    json_object_set_new(rec, "Email", json_string(email));
    json_object_set_new(rec, "Phone", json_string(ph));
    json_object_set_new(rec, "Title", json_string(PICK(&s->rng, titles)));
}

/* Fills rec with a person working at a made-up company (its name goes to company) under an
 * e-mail domain ending in tld; one person in `repeat` takes an earlier contact's e-mail. */
static void person_at_company(struct seeder *s, json_t *rec, const char *tld, uint64_t repeat,
                              char *company, size_t n)
{
    char email[256], dom[96];
    size_t ne = json_array_size(s->emails);

    company_name(s, company, n);
    lower_word(company, dom, sizeof(dom));
    strncat(dom, tld, sizeof(dom) - strlen(dom) - 1);
    person(s, rec, dom, email, sizeof(email));
    if (ne && emu_rng_below(&s->rng, repeat) == 0)
        json_object_set(rec, "Email", json_array_get(s->emails, emu_rng_below(&s->rng, ne)));
}

static void seed_contacts(struct seeder *s, int64_t n)
{
    for (int64_t i = 0; i < n; i++) {
        json_t *k = json_object();
        const char *acc =
            json_array_size(s->accounts)
                ? json_string_value(json_array_get(
                      s->accounts, emu_rng_below(&s->rng, json_array_size(s->accounts))))
                : NULL;
        char name[128];
        int64_t created = past(s, 300);
        struct sf_rec *r;
        /* one contact in twenty repeats an earlier contact's address (a duplicate person) */
        person_at_company(s, k, ".example.com", 20, name, sizeof(name));
        if (acc)
            json_object_set_new(k, "AccountId", json_string(acc));
        json_object_set_new(k, "LeadSource", json_string(PICK(&s->rng, lead_sources)));
        json_object_set_new(k, "OwnerId", json_string(owner(s)));
        json_object_set_new(k, "HasOptedOutOfEmail", json_boolean(emu_rng_below(&s->rng, 10) == 0));
        r = put(s, "Contact", k, created,
                created + (int64_t)emu_rng_below(&s->rng, 30 * 86400) * 1000, NULL);
        if (r) {
            json_array_append_new(s->contacts, json_string(r->id));
            json_array_append(s->emails, json_object_get(r->data, "Email"));
        }
    }
}

static void seed_leads(struct seeder *s, int64_t n)
{
    for (int64_t i = 0; i < n; i++) {
        json_t *l = json_object();
        char name[128];
        const char *const *pl = places[emu_rng_below(&s->rng, sizeof(places) / sizeof(places[0]))];
        int64_t created = past(s, 200);
        struct sf_rec *r;
        /* one lead in ten is a person who is already a contact */
        person_at_company(s, l, ".example.org", 10, name, sizeof(name));
        json_object_set_new(l, "Company",
                            json_string(emu_rng_below(&s->rng, 12) == 0 ? "[not provided]" : name));
        json_object_set_new(l, "Status", json_string(PICK(&s->rng, lead_statuses)));
        json_object_set_new(l, "LeadSource", json_string(PICK(&s->rng, lead_sources)));
        json_object_set_new(l, "City", json_string(pl[0]));
        if (pl[1])
            json_object_set_new(l, "State", json_string(pl[1]));
        json_object_set_new(l, "Country", json_string(pl[2]));
        json_object_set_new(l, "Industry", json_string(PICK(&s->rng, industries)));
        json_object_set_new(l, "OwnerId", json_string(owner(s)));
        r = put(s, "Lead", l, created, created + (int64_t)emu_rng_below(&s->rng, 10 * 86400) * 1000,
                NULL);
        if (r)
            json_array_append_new(s->leads, json_string(r->id));
    }
}

static void seed_opportunities(struct seeder *s, int64_t n)
{
    size_t na = json_array_size(s->accounts), nc = json_array_size(s->contacts);
    for (int64_t i = 0; i < n; i++) {
        const char *acc =
            na ? json_string_value(json_array_get(s->accounts, emu_rng_below(&s->rng, na))) : NULL;
        char name[160], close[SYNC_TIME_ISO_MAX];
        int64_t created = past(s, 180);
        int64_t close_ms = created + (int64_t)(emu_rng_below(&s->rng, 120) + 7) * 86400000;
        json_t *o;
        struct sf_rec *r;
        snprintf(name, sizeof(name), "%s - %s", PICK(&s->rng, company_words),
                 emu_rng_below(&s->rng, 2) ? "New Business" : "Expansion");
        o = json_pack("{s:s, s:s, s:s}", "Name", name, "StageName", PICK(&s->rng, stages),
                      "CloseDate", sync_time_format_date(close_ms, close, sizeof(close)));
        if (acc)
            json_object_set_new(o, "AccountId", json_string(acc));
        json_object_set_new(o, "Amount",
                            json_real((double)(emu_rng_below(&s->rng, 200) + 1) * 500.0));
        json_object_set_new(o, "LeadSource", json_string(PICK(&s->rng, lead_sources)));
        json_object_set_new(o, "OwnerId", json_string(owner(s)));
        r = put(s, "Opportunity", o, created,
                created + (int64_t)emu_rng_below(&s->rng, 20 * 86400) * 1000, NULL);
        if (!r)
            continue;
        json_array_append_new(s->opps, json_string(r->id));
        if (nc) {
            json_t *role = json_pack(
                "{s:s, s:s, s:s, s:b}", "OpportunityId", r->id, "ContactId",
                json_string_value(json_array_get(s->contacts, emu_rng_below(&s->rng, nc))), "Role",
                PICK(&s->rng, roles), "IsPrimary", 1);
            put(s, "OpportunityContactRole", role, created, created, NULL);
        }
    }
}

static void seed_cases(struct seeder *s, int64_t n)
{
    size_t nc = json_array_size(s->contacts);
    for (int64_t i = 0; i < n; i++) {
        json_t *k = json_pack("{s:s, s:s, s:s, s:s}", "Subject", PICK(&s->rng, case_subjects),
                              "Status", PICK(&s->rng, case_statuses), "Priority",
                              PICK(&s->rng, case_priorities), "Origin", PICK(&s->rng, origins));
        int64_t created = past(s, 90);
        if (nc) {
            struct sf_rec *con =
                org_get(&s->srv->org,
                        json_string_value(json_array_get(s->contacts, emu_rng_below(&s->rng, nc))));
            if (con) {
                json_object_set_new(k, "ContactId", json_string(con->id));
                if (json_object_get(con->data, "AccountId"))
                    json_object_set(k, "AccountId", json_object_get(con->data, "AccountId"));
            }
        }
        json_object_set_new(k, "OwnerId", json_string(owner(s)));
        put(s, "Case", k, created, created + (int64_t)emu_rng_below(&s->rng, 5 * 86400) * 1000,
            NULL);
    }
}

static const char *any_of(struct seeder *s, json_t *ids)
{
    size_t n = json_array_size(ids);
    return n ? json_string_value(json_array_get(ids, emu_rng_below(&s->rng, n))) : NULL;
}

static void seed_activities(struct seeder *s, int64_t n)
{
    for (int64_t i = 0; i < n; i++) {
        char due[SYNC_TIME_ISO_MAX];
        int64_t created = past(s, 120);
        const char *who = emu_rng_below(&s->rng, 2) ? any_of(s, s->contacts) : any_of(s, s->leads);
        const char *what = who && strncmp(who, "003", 3) == 0 ? any_of(s, s->opps) : NULL;
        json_t *t = json_pack(
            "{s:s, s:s, s:s, s:s}", "Subject", PICK(&s->rng, task_subjects), "Status",
            PICK(&s->rng, task_statuses), "Priority", PICK(&s->rng, priorities), "ActivityDate",
            sync_time_format_date(created + (int64_t)emu_rng_below(&s->rng, 30) * 86400000, due,
                                  sizeof(due)));
        json_t *e;
        if (who)
            json_object_set_new(t, "WhoId", json_string(who));
        if (what)
            json_object_set_new(t, "WhatId", json_string(what));
        json_object_set_new(t, "OwnerId", json_string(owner(s)));
        put(s, "Task", t, created, created, NULL);
        e = json_pack("{s:s, s:o, s:i}", "Subject", "Meeting", "StartDateTime",
                      org_time_json(created + (int64_t)(emu_rng_below(&s->rng, 48) + 1) * 3600000),
                      "DurationInMinutes", 30 * (int)(emu_rng_below(&s->rng, 4) + 1));
        if (who)
            json_object_set_new(e, "WhoId", json_string(who));
        if (what)
            json_object_set_new(e, "WhatId", json_string(what));
        json_object_set_new(e, "OwnerId", json_string(owner(s)));
        put(s, "Event", e, created, created, NULL);
    }
}

static void seed_campaigns(struct seeder *s, int64_t n)
{
    for (int64_t i = 0; i < n; i++) {
        char name[128], start[SYNC_TIME_ISO_MAX];
        int64_t created = past(s, 365);
        const char *type = PICK(&s->rng, campaign_types);
        json_t *c;
        struct sf_rec *r;
        snprintf(name, sizeof(name), "%s %s %u", PICK(&s->rng, company_words), type,
                 (unsigned)(2023 + emu_rng_below(&s->rng, 3)));
        c = json_pack("{s:s, s:s, s:s, s:b, s:s}", "Name", name, "Type", type, "Status",
                      emu_rng_below(&s->rng, 2) ? "Completed" : "In Progress", "IsActive",
                      (int)emu_rng_below(&s->rng, 2), "StartDate",
                      sync_time_format_date(created, start, sizeof(start)));
        json_object_set_new(c, "OwnerId", json_string(owner(s)));
        r = put(s, "Campaign", c, created, created, NULL);
        if (r)
            json_array_append_new(s->campaigns, json_string(r->id));
    }
    /* members: each campaign member is a distinct (campaign, person) pair */
    {
        struct hmap seen;
        hmap_init(&seen);
        for (int64_t i = 0; i < n && json_array_size(s->campaigns); i++) {
            const char *camp = json_string_value(
                json_array_get(s->campaigns, (size_t)i % json_array_size(s->campaigns)));
            const char *who = i % 2 ? any_of(s, s->leads) : any_of(s, s->contacts);
            char key[64];
            json_t *m;
            int64_t created = past(s, 100);
            if (!who)
                continue;
            snprintf(key, sizeof(key), "%s|%s", camp, who);
            if (hmap_get(&seen, key))
                continue;
            hmap_put(&seen, key, (void *)1);
            m = json_pack("{s:s, s:s, s:s}", "CampaignId", camp,
                          strncmp(who, "00Q", 3) == 0 ? "LeadId" : "ContactId", who, "Status",
                          emu_rng_below(&s->rng, 3) ? "Sent" : "Responded");
            put(s, "CampaignMember", m, created, created, NULL);
        }
        hmap_release(&seen);
    }
}

/* Starts a seeding run: its dice (from salt, n and the earlier runs) and the owners. */
static void seeder_open(struct seeder *s, struct sf_server *srv, uint64_t salt, int64_t n)
{
    struct sf_org *org = &srv->org;
    const struct sf_object *uo = schema_object(&org->schema, "User");
    struct sf_table *ut = uo ? org_table(org, uo) : NULL;

    memset(s, 0, sizeof(*s));
    s->srv = srv;
    emu_rng_init(&s->rng, salt * 1000003ULL + (uint64_t)n * 7919ULL + srv->seed_rounds);
    srv->seed_rounds++;
    s->now = org_now();
    /* owners: the active sales users, plus one inactive user as real orgs have */
    for (size_t i = 0; ut && i < ut->n && s->nowners < 8; i++) {
        const json_t *d = ut->rows[i]->data;
        const char *type = json_string_value(json_object_get(d, "UserType"));
        if (type && strcmp(type, "Standard") == 0)
            s->owners[s->nowners++] = ut->rows[i]->id;
    }
    if (!s->nowners)
        s->owners[s->nowners++] = org->integration_user;
}

/* A person of object (Lead or Contact) as a careless import leaves one: without an e-mail, or
 * (invalid) with one no mail system accepts: "ada.lovelace12@acmecorp" (no top-level domain) or
 * "ada.lovelace12 at acmecorp.example.net". */
static int seed_bad_person(struct seeder *s, const char *object, int invalid, int64_t k)
{
    json_t *r = json_object();
    char company[128], bad[256];
    int64_t created = past(s, 120);

    person_at_company(s, r, ".example.net", 1, company, sizeof(company));
    if (!invalid) {
        json_object_del(r, "Email");
    } else {
        const char *email = json_string_value(json_object_get(r, "Email"));
        const char *at = strchr(email, '@');
        size_t cut = (size_t)(at - email);
        if (k % 2 == 0) {
            snprintf(bad, sizeof(bad), "%s", email);
            bad[cut + strcspn(bad + cut, ".")] = '\0';
        } else {
            snprintf(bad, sizeof(bad), "%.*s at %s", (int)cut, email, at + 1);
        }
        json_object_set_new(r, "Email", json_string(bad));
    }
    if (strcmp(object, "Lead") == 0) {
        json_object_set_new(r, "Company", json_string(company));
        json_object_set_new(r, "Status", json_string(PICK(&s->rng, lead_statuses)));
    }
    json_object_set_new(r, "LeadSource", json_string(PICK(&s->rng, lead_sources)));
    json_object_set_new(r, "OwnerId", json_string(owner(s)));
    return put(s, object, r, created, created + (int64_t)emu_rng_below(&s->rng, 86400) * 1000,
               NULL) != NULL;
}

json_t *server_seed_bad_values(struct sf_server *srv, int64_t n)
{
    static const char *const objects[] = {"Lead", "Contact"};
    int64_t missing = n ? n / 50 + 1 : 0, invalid = n ? n / 100 + 1 : 0;
    json_t *out = json_object();
    struct seeder s;

    seeder_open(&s, srv, 0xbadULL, n);
    s.emails = json_array();
    for (size_t o = 0; o < 2; o++) {
        int64_t made = 0;
        for (int64_t k = 0; k < missing + invalid; k++)
            made += seed_bad_person(&s, objects[o], k >= missing, k);
        if (made)
            json_object_set_new(out, objects[o], json_integer((json_int_t)made));
    }
    json_decref(s.emails);
    return out;
}

json_t *server_seed(struct sf_server *srv, int64_t n)
{
    struct seeder s;
    struct sf_org *org = &srv->org;
    json_t *before = json_object(), *out = json_object();

    seeder_open(&s, srv, 0x5eedULL, n);
    for (size_t i = 0; i < org->schema.n; i++)
        json_object_set_new(before, org->schema.objects[i]->name,
                            json_integer((json_int_t)org->tables[i].live));
    s.accounts = json_array();
    s.contacts = json_array();
    s.leads = json_array();
    s.opps = json_array();
    s.campaigns = json_array();
    s.emails = json_array();
    seed_accounts(&s, n);
    seed_contacts(&s, n);
    seed_leads(&s, n);
    seed_opportunities(&s, n);
    seed_cases(&s, n);
    seed_activities(&s, n);
    seed_campaigns(&s, n);
    for (size_t i = 0; i < org->schema.n; i++) {
        int64_t added = (int64_t)org->tables[i].live -
                        json_integer_value(json_object_get(before, org->schema.objects[i]->name));
        if (added > 0)
            json_object_set_new(out, org->schema.objects[i]->name, json_integer(added));
    }
    json_decref(before);
    json_decref(s.accounts);
    json_decref(s.contacts);
    json_decref(s.leads);
    json_decref(s.opps);
    json_decref(s.campaigns);
    json_decref(s.emails);
    return out;
}
