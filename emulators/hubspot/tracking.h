/*
 * tracking.h: HubSpot's own calculations written onto a record, shared by
 * the files that make them: the sales tools' tracking (tracking.c: opens,
 * clicks, document views) and a form submission's conversion properties
 * (marketing.c). tracking.c is the only file behind it; the control API
 * entry points and the pure helpers stay in portal.h.
 */
#ifndef EMU_HUBSPOT_TRACKING_H
#define EMU_HUBSPOT_TRACKING_H

#include <jansson.h>
#include <stddef.h>

#include "emulators/hubspot/portal.h"

/* Writes props (an object of values, stolen; NULL: out of memory) to r as HubSpot's own
 * calculation: trusted (calculated, read-only properties allowed), history source and webhook
 * changeSource CALCULATED, the modify dates moved as for any change. 0, or -1 with err filled.
 * Callers hold the portal lock. */
int tracking_write_calculated(struct hs_portal *p, struct hs_record *r, json_t *props, char *err,
                              size_t errlen);

#endif
