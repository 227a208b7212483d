/*
 * rules.c: the field sync rules (see rules.h for the contract and its
 * invariants). Pure; called by the planner.
 *
 * The two "prefer X unless blank" rules and the two "always use X" rules
 * are one piece of logic each, written for a preferred side P and an
 * other side O; the public function maps HubSpot and Salesforce onto P
 * and O and the result back.
 */
#include "engine/rules.h"

#include <ctype.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

static const char *const rule_names[SYNC_RULE__COUNT] = {
    "prefer_salesforce_unless_blank", "always_use_salesforce", "two_way", "dont_sync",
    "prefer_hubspot_unless_blank",    "always_use_hubspot",
};

const char *sync_rule_name(enum sync_rule r)
{
    return (unsigned)r < SYNC_RULE__COUNT ? rule_names[r] : "unknown";
}

int sync_rule_parse(const char *s, enum sync_rule *out)
{
    char norm[64];
    size_t i;

    for (i = 0; s[i] && i + 1 < sizeof(norm); i++)
        norm[i] = s[i] == '-' || s[i] == ' ' ? '_' : (char)tolower((unsigned char)s[i]);
    norm[i] = '\0';
    if (s[i])
        return -1;
    for (int r = 0; r < SYNC_RULE__COUNT; r++) {
        if (strcmp(norm, rule_names[r]) == 0) {
            *out = (enum sync_rule)r;
            return 0;
        }
    }
    return -1;
}

int sync_value_blank(const char *v)
{
    return v == NULL || v[0] == '\0';
}

int sync_value_eq(const char *a, const char *b)
{
    if (sync_value_blank(a) || sync_value_blank(b))
        return sync_value_blank(a) && sync_value_blank(b);
    return strcmp(a, b) == 0;
}

/* One side seen through the preferred/other lens. */
struct side {
    const char *val;
    int64_t at;
    int changed;
};

enum verdict { V_KEEP, V_TO_OTHER, V_TO_PREF };

/* Reasons, worded once for each preferred side: [0] Salesforce preferred, [1] HubSpot. */
static const char *const why_always_overwrite[2] = {
    "HubSpot's edit is overwritten: Salesforce always wins",
    "Salesforce's edit is overwritten: HubSpot always wins"};
static const char *const why_always[2] = {"Salesforce always wins", "HubSpot always wins"};
static const char *const why_pref_edit_not_sent[2] = {
    "HubSpot's edit is not sent: Salesforce has a value, and it wins",
    "Salesforce's edit is not sent: HubSpot has a value, and it wins"};
static const char *const why_pref_wins[2] = {"Salesforce has a value, and it wins",
                                             "HubSpot has a value, and it wins"};
static const char *const why_pref_cleared_later[2] = {
    "both changed; Salesforce cleared the field later, so HubSpot is cleared",
    "both changed; HubSpot cleared the field later, so Salesforce is cleared"};
static const char *const why_other_later[2] = {
    "both changed; HubSpot's value is later and Salesforce is blank, so it is sent",
    "both changed; Salesforce's value is later and HubSpot is blank, so it is sent"};
static const char *const why_pref_cleared[2] = {
    "Salesforce cleared the field; the clear is copied to HubSpot",
    "HubSpot cleared the field; the clear is copied to Salesforce"};
static const char *const why_pref_blank[2] = {"Salesforce is blank, so HubSpot's value is sent",
                                              "HubSpot is blank, so Salesforce's value is sent"};

static const char *const why_always_blank[2] = {
    "Salesforce is blank and was not cleared; HubSpot never writes to it and keeps its value",
    "HubSpot is blank and was not cleared; Salesforce never writes to it and keeps its value"};

static enum verdict decide_always(const struct side *p, const struct side *o, int hs_pref,
                                  const char **why)
{
    if (sync_value_blank(p->val) && !p->changed) {
        /* a blank the winning side never set is not a value to copy, nor a delete */
        *why = why_always_blank[hs_pref];
        return V_KEEP;
    }
    *why = o->changed && !p->changed ? why_always_overwrite[hs_pref] : why_always[hs_pref];
    return V_TO_OTHER;
}

static enum verdict decide_prefer(const struct side *p, const struct side *o, int hs_pref,
                                  const char **why)
{
    if (!sync_value_blank(p->val)) {
        *why = o->changed && !p->changed ? why_pref_edit_not_sent[hs_pref] : why_pref_wins[hs_pref];
        return V_TO_OTHER;
    }
    if (p->changed && o->changed) {
        /* the preferred side cleared it while the other set a new value: the later one wins */
        *why = p->at >= o->at ? why_pref_cleared_later[hs_pref] : why_other_later[hs_pref];
        return p->at >= o->at ? V_TO_OTHER : V_TO_PREF;
    }
    *why = p->changed ? why_pref_cleared[hs_pref] : why_pref_blank[hs_pref];
    return p->changed ? V_TO_OTHER : V_TO_PREF;
}

/* Two-way, written with Salesforce as p and HubSpot as o. */
static enum verdict decide_two_way(const struct side *sf, const struct side *hs,
                                   enum sync_side first_winner, const char **why)
{
    if (sf->changed != hs->changed) {
        *why = sf->changed ? "changed in Salesforce only; the change flows to HubSpot"
                           : "changed in HubSpot only; the change flows to Salesforce";
        return sf->changed ? V_TO_OTHER : V_TO_PREF;
    }
    if (first_winner != SYNC_SIDE_NONE) {
        *why = first_winner == SYNC_SIDE_SALESFORCE ? "first sync: Salesforce's value wins"
                                                    : "first sync: HubSpot's value wins";
        return first_winner == SYNC_SIDE_SALESFORCE ? V_TO_OTHER : V_TO_PREF;
    }
    if (sf->at >= hs->at) {
        *why = "changed on both sides; Salesforce's change is later (or at the same instant) "
               "and wins";
        return V_TO_OTHER;
    }
    *why = "changed on both sides; HubSpot's change is later and wins";
    return V_TO_PREF;
}

void sync_rule_decide(enum sync_rule rule, const struct sync_field_state *st,
                      struct sync_field_decision *out)
{
    struct side hs = {st->hs, st->hs_at, 0}, sf = {st->sf, st->sf_at, 0};
    const struct side *p, *o;
    int pref_is_sf = rule == SYNC_RULE_PREFER_SF_UNLESS_BLANK || rule == SYNC_RULE_ALWAYS_SF ||
                     rule == SYNC_RULE_TWO_WAY;
    enum verdict v = V_KEEP;
    const char *why = "";

    if (st->has_agreed) {
        hs.changed = !sync_value_eq(st->hs, st->agreed);
        sf.changed = !sync_value_eq(st->sf, st->agreed);
    } else {
        hs.changed = !sync_value_blank(st->hs);
        sf.changed = !sync_value_blank(st->sf);
    }
    memset(out, 0, sizeof(*out));
    out->conflict = hs.changed && sf.changed && !sync_value_eq(st->hs, st->sf);

    if (sync_value_eq(st->hs, st->sf)) {
        out->agree = 1;
        out->why = hs.changed || sf.changed ? "both sides already hold the same value"
                                            : "unchanged since the last agreement (echo)";
        return;
    }
    if (rule == SYNC_RULE_DONT_SYNC || (unsigned)rule >= SYNC_RULE__COUNT) {
        out->why = "rule Don't sync: nothing moves in either direction";
        return;
    }
    p = pref_is_sf ? &sf : &hs;
    o = pref_is_sf ? &hs : &sf;
    switch (rule) {
    case SYNC_RULE_ALWAYS_SF:
    case SYNC_RULE_ALWAYS_HS:
        v = decide_always(p, o, !pref_is_sf, &why);
        break;
    case SYNC_RULE_PREFER_SF_UNLESS_BLANK:
    case SYNC_RULE_PREFER_HS_UNLESS_BLANK:
        v = decide_prefer(p, o, !pref_is_sf, &why);
        break;
    default:
        v = decide_two_way(p, o, st->has_agreed ? SYNC_SIDE_NONE : st->first_sync_winner, &why);
        break;
    }
    out->why = why;
    if (v == V_TO_OTHER) {
        out->action = pref_is_sf ? SYNC_FIELD_TO_HS : SYNC_FIELD_TO_SF;
        out->value = sync_value_blank(p->val) ? NULL : p->val;
    } else if (v == V_TO_PREF) {
        out->action = pref_is_sf ? SYNC_FIELD_TO_SF : SYNC_FIELD_TO_HS;
        out->value = sync_value_blank(o->val) ? NULL : o->val;
    }
}
