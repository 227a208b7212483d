/*
 * match.c: email matching for people and contact-based matching for
 * companies (see match.h for the rules and where they come from). Pure;
 * called by the planner.
 */
#include "engine/match.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "engine/value.h"

int sync_match_email_norm(const char *in, char *out, size_t n)
{
    size_t len, j = 0;
    const char *s = in ? in : "";

    if (n)
        out[0] = '\0';
    while (*s && isspace((unsigned char)*s))
        s++;
    len = strlen(s);
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    if (!len || len + 1 > n || !memchr(s, '@', len))
        return 0;
    for (; j < len; j++)
        out[j] = (char)tolower((unsigned char)s[j]);
    out[j] = '\0';
    return 1;
}

int sync_match_same_sf_id(const char *a, const char *b)
{
    char x[19], y[19];

    if (!a || !a[0] || !b || !b[0])
        return (!a || !a[0]) && (!b || !b[0]);
    if (sync_value_sf_id18(a, x) == SYNC_OK && sync_value_sf_id18(b, y) == SYNC_OK)
        return strcmp(x, y) == 0;
    return strcmp(a, b) == 0;
}

static int same_link(const struct sync_plan_link *a, const struct sync_plan_link *b)
{
    return a && b && strcmp(a->link_id, b->link_id) == 0;
}

int sync_match_eligible(const struct sync_match_candidate *c, const char *email,
                        const struct sync_plan_link *self, const char **why)
{
    char norm[SYNC_MATCH_EMAIL_MAX];
    const char *dummy;

    if (!why)
        why = &dummy;
    if (email && (!sync_match_email_norm(c->email, norm, sizeof(norm)) || strcmp(norm, email))) {
        *why = "its email differs";
        return 0;
    }
    if (c->converted) {
        *why = "it is a converted lead";
        return 0;
    }
    if (c->link && !same_link(c->link, self)) {
        *why = "it already syncs with another record";
        return 0;
    }
    *why = "";
    return 1;
}

/* Salesforce's order for a first bind: oldest first, Contact before Lead at the same instant,
 * then the lower id. Returns <0 when a comes first. */
static int first_order(const struct sync_match_candidate *a, const struct sync_match_candidate *b)
{
    int ac, bc;

    if (a->created_at != b->created_at)
        return a->created_at < b->created_at ? -1 : 1;
    ac = a->object && strcasecmp(a->object, "Contact") == 0;
    bc = b->object && strcasecmp(b->object, "Contact") == 0;
    if (ac != bc)
        return ac ? -1 : 1;
    return strcmp(a->id ? a->id : "", b->id ? b->id : "");
}

int sync_match_first(const struct sync_match_candidate *c, size_t n, const char *email,
                     const char *label, struct sync_trace *t)
{
    char norm[SYNC_MATCH_EMAIL_MAX];
    size_t eligible = 0;
    int best = -1;
    const char *why;

    if (!sync_match_email_norm(email, norm, sizeof(norm)))
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (!sync_match_eligible(&c[i], norm, NULL, &why)) {
            sync_trace_add(t, "%s: %s %s passed over: %s", label, c[i].object, c[i].id, why);
            continue;
        }
        eligible++;
        if (best < 0 || first_order(&c[i], &c[best]) < 0)
            best = (int)i;
    }
    if (best >= 0)
        sync_trace_add(t, "%s: email %s matched Salesforce %s %s (%s of %zu %s, oldest first)",
                       label, norm, c[best].object, c[best].id,
                       eligible == 1 ? "the only one" : "first", eligible,
                       eligible == 1 ? "match" : "matches");
    return best;
}

int sync_match_latest(const struct sync_match_candidate *c, size_t n, const char *email,
                      const struct sync_plan_link *self)
{
    char norm[SYNC_MATCH_EMAIL_MAX];
    int best = -1;

    if (!sync_match_email_norm(email, norm, sizeof(norm)))
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (!sync_match_eligible(&c[i], norm, self, NULL))
            continue;
        if (best < 0 || c[i].modified_at > c[best].modified_at ||
            (c[i].modified_at == c[best].modified_at && first_order(&c[i], &c[best]) < 0))
            best = (int)i;
    }
    return best;
}

/* How many people tie the candidate to the record being planned. */
static size_t shared_people(const struct sync_match_candidate *c, const struct sync_match_person *p,
                            size_t np, int hs_side)
{
    size_t k = 0;

    for (size_t i = 0; i < np; i++) {
        if (hs_side) {
            if (p[i].sf_object && strcasecmp(p[i].sf_object, "Contact") == 0 &&
                p[i].sf_account_id && p[i].sf_account_id[0] &&
                sync_match_same_sf_id(p[i].sf_account_id, c->id))
                k++;
        } else if (p[i].hs_company_id && c->id && strcmp(p[i].hs_company_id, c->id) == 0) {
            k++;
        }
    }
    return k;
}

int sync_match_company(const struct sync_match_candidate *c, size_t n,
                       const struct sync_match_person *p, size_t np, int hs_side, const char *label,
                       struct sync_trace *t)
{
    int best = -1;
    size_t best_k = 0, k;
    const char *other = hs_side ? "Salesforce account" : "HubSpot company";

    for (size_t i = 0; i < n; i++) {
        k = shared_people(&c[i], p, np, hs_side);
        if (!k)
            continue;
        if (c[i].link) {
            sync_trace_add(t,
                           "%s: %s %s shares %zu contact%s but already syncs with another "
                           "record",
                           label, other, c[i].id, k, k == 1 ? "" : "s");
            continue;
        }
        if (best < 0 || k > best_k || (k == best_k && first_order(&c[i], &c[best]) < 0)) {
            best = (int)i;
            best_k = k;
        }
    }
    if (best >= 0)
        sync_trace_add(t, "%s: matched %s %s through %zu associated contact%s (never by domain)",
                       label, other, c[best].id, best_k, best_k == 1 ? "" : "s");
    return best;
}

int sync_match_company_creates_account(const struct sync_match_person *p, size_t np,
                                       int new_record_contact, const char *label,
                                       struct sync_trace *t)
{
    size_t qualifying = 0, leads = 0, placed = 0;

    if (!np) {
        sync_trace_add(t,
                       "%s: no Salesforce account is created: the company has no associated "
                       "contacts",
                       label);
        return 0;
    }
    for (size_t i = 0; i < np; i++) {
        int contact, lead;

        if (!p[i].qualifies)
            continue;
        qualifying++;
        contact = p[i].sf_object && strcasecmp(p[i].sf_object, "Contact") == 0;
        lead = p[i].sf_object && strcasecmp(p[i].sf_object, "Lead") == 0;
        if (contact && (!p[i].sf_account_id || !p[i].sf_account_id[0])) {
            sync_trace_add(t,
                           "%s: creates a Salesforce account: contact %s syncs with "
                           "Salesforce contact %s, which has no account",
                           label, p[i].hs_id ? p[i].hs_id : "?", p[i].sf_id ? p[i].sf_id : "?");
            return 1;
        }
        if (!p[i].sf_object && new_record_contact) {
            sync_trace_add(t,
                           "%s: creates a Salesforce account: contact %s will be created as "
                           "a Salesforce contact (new record type Contact)",
                           label, p[i].hs_id ? p[i].hs_id : "?");
            return 1;
        }
        if (lead || !p[i].sf_object)
            leads++;
        else
            placed++;
    }
    if (!qualifying)
        sync_trace_add(t,
                       "%s: no Salesforce account is created: none of its contacts qualifies "
                       "for the inclusion list",
                       label);
    else if (!placed)
        sync_trace_add(t,
                       "%s: no Salesforce account is created: all its contacts sync to "
                       "Salesforce leads",
                       label);
    else
        sync_trace_add(t,
                       "%s: no Salesforce account is created: its contacts' Salesforce "
                       "contacts already belong to accounts that sync with other companies",
                       label);
    return 0;
}
