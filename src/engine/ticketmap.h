/*
 * ticketmap.h: the ticket pipeline map (docs/TICKETS.md): Salesforce case
 * business processes <-> HubSpot ticket pipelines, and within each pair
 * the case statuses <-> the pipeline's ticket statuses (stages).
 *
 * A case resolves to its process through its record type (a case with no
 * record type: the process of the integration user's default record
 * type; an org without record types has one process, ""). Each process
 * maps to one pipeline:
 *   1. the admin's choice (configured "processes": {process: pipeline});
 *   2. else a pipeline whose label equals the process's name, or the name
 *      with "Process" dropped ("Billing Process" = "Billing"), ignoring
 *      case, blanks and punctuation;
 *   3. else, for the default record type's process, HubSpot's default
 *      ticket pipeline ("0", or the first one listed).
 * A pipeline is taken by one process at most on steps 2 and 3.
 *
 * Within a pair, each case status maps to one stage of the pipeline:
 *   1. the admin's choice (configured "stages": {pipeline: {status: stage}});
 *   2. else the stage of the same label whose open/closed state agrees;
 *   3. else, for a closed status, the pipeline's only closed stage.
 * A status left over has no stage: a case in it gets the planner's
 * "mapping" error and its ticket is neither created nor moved.
 *
 * The result is the planner's stage map (one row per record type and
 * status; record type "" for cases without one) and a report of every
 * process, its pipeline and each status's stage with how each was chosen,
 * for the setup flow's preview (CLI, admin API).
 *
 * Pure apart from allocation. Called by the engine's stage directory
 * (stagedir.c), the ticket setup commands and its unit test.
 */
#ifndef SYNC_ENGINE_TICKETMAP_H
#define SYNC_ENGINE_TICKETMAP_H

#include <jansson.h>

#include "core/err.h"
#include "engine/stages.h"

/* Builds out (its previous contents released) from HubSpot's ticket stage rows and Salesforce's
 * case rows (sync_conn_list_stages with tickets 1) and the admin's choices (NULL, or
 * {"processes": {name or id: pipeline id}, "stages": {pipeline id: {status: stage id}}}).
 * *report (may be NULL) becomes
 * {"processes": [{"process", "process_id", "record_types": [{"id","label","default"}],
 *                 "pipeline", "pipeline_label", "pipeline_how": "configured"|"label"|"default",
 *                 "statuses": [{"status", "closed", "stage", "stage_label",
 *                               "how": "configured"|"label"|"closed"}]}],
 *  "pipelines": [{"id", "label", "stages": [{"id","label","closed"}]}],
 *  "unmapped": {"processes": n, "statuses": n}}
 * (a process or status without a counterpart has no "pipeline"/"stage" member). */
enum sync_rc sync_ticketmap_build(struct sync_stages *out, json_t **report, const json_t *hs_rows,
                                  const json_t *sf_rows, const json_t *configured);

#endif
