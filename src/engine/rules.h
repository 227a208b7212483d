/*
 * rules.h: the field sync rules, decided one field at a time.
 *
 * A mapping pairs a HubSpot property with a Salesforce field and carries
 * one rule. The native integration has four (Prefer Salesforce unless
 * blank, Always use Salesforce, Two-way, Don't sync); crmsync adds the
 * HubSpot-side mirrors of the first two.
 *
 * sync_rule_decide is pure: given both sides' current values (in the
 * mapping's canonical text form, NULL or "" meaning blank), when each was
 * set, and the ledger's last agreed value, it says which side to write
 * and why. It never looks at the clock, the store or the network; the
 * planner calls it for every mapped field of a linked pair.
 *
 * Invariants:
 *   1. A field neither side changed since the ledger's agreement is never
 *      written (an incoming value equal to the ledger is an echo).
 *   2. Equal values on both sides are never written; the caller records
 *      them as the new agreement.
 *   3. Don't sync never writes, deletes included.
 *   4. Every decision carries a reason a person can read.
 *   5. A field changed on both sides is flagged as a conflict.
 *   6. A blank is copied only as a delete: a side that was blank all along
 *      never clears the other, whatever the rule.
 */
#ifndef SYNC_ENGINE_RULES_H
#define SYNC_ENGINE_RULES_H

#include <stdint.h>

enum sync_side { SYNC_SIDE_NONE = 0, SYNC_SIDE_HUBSPOT, SYNC_SIDE_SALESFORCE };

enum sync_rule {
    SYNC_RULE_PREFER_SF_UNLESS_BLANK = 0, /* the native default */
    SYNC_RULE_ALWAYS_SF,
    SYNC_RULE_TWO_WAY,
    SYNC_RULE_DONT_SYNC,
    SYNC_RULE_PREFER_HS_UNLESS_BLANK,
    SYNC_RULE_ALWAYS_HS,
    SYNC_RULE__COUNT
};

/* "prefer_salesforce_unless_blank", "always_use_salesforce", "two_way", "dont_sync",
 * "prefer_hubspot_unless_blank", "always_use_hubspot" */
const char *sync_rule_name(enum sync_rule r);
/* Parses a name above (case-insensitive, '-' or ' ' accepted for '_'); -1 when unknown. */
int sync_rule_parse(const char *s, enum sync_rule *out);

struct sync_field_state {
    const char *hs; /* HubSpot's current value, canonical; NULL or "" is blank */
    int64_t hs_at;  /* when HubSpot's value was set (epoch ms; 0 unknown) */
    const char *sf;
    int64_t sf_at;
    int has_agreed;     /* the ledger holds an agreement for this field */
    const char *agreed; /* the value both sides last agreed on (blank allowed) */
    /* On a first sync (no agreement) of a Two-way field with values on both sides, which side
     * wins; SYNC_SIDE_NONE means the later timestamp. Owners use SYNC_SIDE_SALESFORCE. */
    enum sync_side first_sync_winner;
};

enum sync_field_action {
    SYNC_FIELD_KEEP = 0, /* write nothing */
    SYNC_FIELD_TO_HS,    /* write value to HubSpot */
    SYNC_FIELD_TO_SF     /* write value to Salesforce */
};

struct sync_field_decision {
    enum sync_field_action action;
    const char *value; /* borrowed from the state; NULL means clear the field */
    int conflict;      /* both sides changed since the agreement */
    int agree;         /* both sides now hold the same value: record it in the ledger */
    const char *why;   /* static, human-readable */
};

void sync_rule_decide(enum sync_rule rule, const struct sync_field_state *st,
                      struct sync_field_decision *out);

/* Blank means NULL or the empty string. */
int sync_value_blank(const char *v);
/* Equal, with every blank equal to every other blank. */
int sync_value_eq(const char *a, const char *b);

#endif
