/*
 * soqlad.h: the adapters that show the org to the SOQL module (soql.h):
 * a catalogue over the schema and a row source over the stored records,
 * as a reader at a given instant sees them (late commits hidden).
 *
 * Used by query.c (also for Composite subrequests) and rules.c
 * (validation rules). The caller holds the org lock.
 */
#ifndef EMU_SF_SOQLAD_H
#define EMU_SF_SOQLAD_H

#include <stdint.h>

#include "emulators/salesforce/org.h"
#include "emulators/salesforce/soql.h"

struct soqlad {
    struct sf_org *org;
    int64_t now;
    struct soql_catalog cat;
    struct soql_rows rows;
    int as_user; /* 1: objects the integration user has no permission on are unknown (API
                  * queries); 0: every object (validation rules) */
};

void soqlad_init(struct soqlad *a, struct sf_org *org, int64_t now);

#endif
