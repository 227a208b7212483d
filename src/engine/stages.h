/*
 * stages.h: the deal stage map (the planner's in.stages, docs/PLANNER.md):
 * HubSpot (pipeline, deal stage) <-> Salesforce (record type, StageName),
 * built from what both vendors list (sync_conn_list_stages rows).
 *
 * Pre-filled by matching labels, ignoring case, blanks and punctuation: a
 * pipeline pairs with the opportunity record type whose label or API name
 * equals its label, HubSpot's "default" pipeline otherwise with the
 * integration user's default record type (or, in an org without record
 * types, with no record type); within a pair, a deal stage pairs with the
 * Salesforce stage of the same label. Whatever does not pair has no entry,
 * so a deal in it gets the planner's "mapping" error. Entries given in
 * crmsync.yaml (deal_stages) come first and win over the automatic ones.
 *
 * Pure apart from allocation. Called by the engine's stage directory
 * (stagedir.c) and its unit test.
 */
#ifndef SYNC_ENGINE_STAGES_H
#define SYNC_ENGINE_STAGES_H

#include <jansson.h>
#include <stddef.h>

#include "core/err.h"
#include "engine/planner.h"

struct sync_stages {
    struct sync_plan_stage_map map; /* what the planner reads; items point into mem */
    struct sync_plan_stage *items;
    json_t *mem; /* the strings */
};

/* Builds out (its previous contents released) from HubSpot's rows and Salesforce's rows, and
 * the configured entries first (NULL or an array of {"pipeline","record_type","stage",
 * "sf_stage"}; record_type may be a record type's id, API name or label, "" for none). */
enum sync_rc sync_stages_build(struct sync_stages *out, const json_t *hs_rows,
                               const json_t *sf_rows, const json_t *configured);
void sync_stages_release(struct sync_stages *s);

/* 1 when two labels are the same ignoring case, blanks and punctuation ("Closed Won" =
 * "closed_won"); NULL never matches. */
int sync_stages_same_label(const char *a, const char *b);

#endif
