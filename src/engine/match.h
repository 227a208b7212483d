/*
 * match.h: finding the record on the other side that a new record pairs
 * with, the way HubSpot's native integration does.
 *
 * People are matched by email address only, ignoring ASCII case and
 * surrounding blanks: a HubSpot contact pairs with a Salesforce Lead or
 * Contact. Salesforce allows many records per email, so:
 *
 *   - the first bind takes the oldest candidate (CreatedDate, then Contact
 *     before Lead at the same instant, then the lower id): Salesforce
 *     returns its matches "usually oldest first" and HubSpot binds to the
 *     first one returned;
 *   - later triggers follow the most recently updated duplicate
 *     (sync_match_latest), which is how a new lead can take the sync over
 *     from an older contact.
 *
 * Converted leads are never candidates, nor are records already paired
 * with another record of this side.
 *
 * Companies are never matched by domain, only through their contacts: a
 * HubSpot company pairs with the Salesforce account that most of its
 * contacts' Salesforce contacts belong to, and a Salesforce account with
 * the HubSpot company most of its contacts' HubSpot contacts belong to.
 * sync_match_company_creates_account holds the native rules for when a
 * HubSpot company without a match creates a Salesforce account.
 *
 * Every function is pure and writes its reasons to a trace. Called by the
 * planner.
 */
#ifndef SYNC_ENGINE_MATCH_H
#define SYNC_ENGINE_MATCH_H

#include <stddef.h>
#include <stdint.h>

#include "engine/trace.h"

#define SYNC_MATCH_EMAIL_MAX 256

/* A link as the planner sees it: the store's link row (store/store.h, struct sync_plan_link) with
 * the same fields, states in the same order, and the same sizes. (store.h cannot be included
 * next to engine/mapping.h: both name a struct sync_mapping.) */
#define SYNC_PLAN_LINK_ID_LEN 25 /* "L" + 24 hex digits, as SYNC_LINK_ID_LEN */
enum sync_plan_link_state {
    SYNC_PLAN_LINK_PENDING_CREATE = 0,
    SYNC_PLAN_LINK_LINKED,
    SYNC_PLAN_LINK_FAILED,
    SYNC_PLAN_LINK_DETACHED,
    SYNC_PLAN_LINK_DELETED
};
struct sync_plan_link {
    char link_id[SYNC_PLAN_LINK_ID_LEN + 1];
    char kind[32]; /* "contact", "company", "deal" */
    char hs_id[64];
    char sf_object[128];
    char sf_id[64];
    enum sync_plan_link_state state;
};

struct sync_plan_record; /* planner.h */

/* A record of the other side that may pair with the one being planned. */
struct sync_match_candidate {
    const char *object; /* "Lead", "Contact", "contacts", "Account", "companies" */
    const char *id;
    const char *email; /* people: the candidate's email as stored; NULL for companies */
    int64_t created_at;
    int64_t modified_at; /* last modified (SystemModstamp, lastmodifieddate), epoch ms */
    int converted;       /* a converted Lead: never matched */
    /* The link that already holds the candidate, NULL when it is free; and when the record at
     * the other end of that link last changed (0: unknown). */
    const struct sync_plan_link *link;
    int64_t linked_modified_at;
    /* Its current values, when the caller has them; the planner asks for them otherwise. */
    const struct sync_plan_record *record;
};

/* A person associated with a company or account, as a company match sees it. */
struct sync_match_person {
    const char *hs_id;         /* the HubSpot contact; NULL when not in HubSpot */
    const char *sf_object;     /* "Lead" or "Contact" it is paired with; NULL: not paired */
    const char *sf_id;         /* that record's id */
    const char *sf_account_id; /* the Salesforce Contact's AccountId; NULL or "": private */
    const char *hs_company_id; /* the HubSpot contact's primary company; NULL: none */
    int qualifies;             /* meets the inclusion list (1 when there is none) */
};

/* The email as matching compares it: blanks trimmed, ASCII lower-case. Returns 0 and leaves ""
 * in out when the address is blank or has no '@' (such a record never syncs). */
int sync_match_email_norm(const char *in, char *out, size_t n);

/* 1 when two Salesforce ids name the same record (15- and 18-character forms agree); other
 * strings compare exactly. NULL and "" are equal to each other only. */
int sync_match_same_sf_id(const char *a, const char *b);

/* 1 when the candidate may pair with the record held by self (NULL: a new record): a matching
 * email (people; email NULL skips the check), not a converted lead, and free or already held
 * by self. why (may be NULL) says why not. */
int sync_match_eligible(const struct sync_match_candidate *c, const char *email,
                        const struct sync_plan_link *self, const char **why);

/* First bind of a person: the index of the oldest eligible candidate, -1 when none. email is
 * the record's address (normalised here). Traces the choice ("first of 2 matches, oldest
 * first") and every candidate passed over, with label naming the record ("contact 123"). */
int sync_match_first(const struct sync_match_candidate *c, size_t n, const char *email,
                     const char *label, struct sync_trace *t);

/* Later triggers: the index of the most recently modified eligible candidate (free or held by
 * self), ties to the oldest, then the lower id; -1 when none. */
int sync_match_latest(const struct sync_match_candidate *c, size_t n, const char *email,
                      const struct sync_plan_link *self);

/* A company or account: the index of the free candidate the most people share, ties to the
 * oldest, then the lower id; -1 when none is shared by anyone. hs_side says the record being
 * planned is a HubSpot company (candidates are accounts, compared with people's
 * sf_account_id of paired Salesforce contacts) or not (candidates are HubSpot companies,
 * compared with hs_company_id). Traces the choice. */
int sync_match_company(const struct sync_match_candidate *c, size_t n,
                       const struct sync_match_person *p, size_t np, int hs_side, const char *label,
                       struct sync_trace *t);

/* Whether an unmatched HubSpot company creates a Salesforce account (research: "When HubSpot
 * creates a Salesforce account"): yes when one of its qualifying contacts is paired with a
 * Salesforce contact without an account, or is not paired yet and will be created as a
 * Salesforce contact (new_record_contact); no when it has no contacts, when all of them are or
 * will be leads, or when none qualifies. Traces the reason. */
int sync_match_company_creates_account(const struct sync_match_person *p, size_t np,
                                       int new_record_contact, const char *label,
                                       struct sync_trace *t);

#endif
