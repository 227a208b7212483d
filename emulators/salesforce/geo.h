/*
 * geo.h: the state and country/territory picklists an org gets when it
 * switches them on: ISO country codes with their labels, and the states
 * of the countries that have them. Pure constant data; used by the schema
 * (picklist values of *CountryCode / *StateCode), describe (validFor
 * bitmaps) and validation (label <-> code, FIELD_INTEGRITY_EXCEPTION).
 */
#ifndef EMU_SF_GEO_H
#define EMU_SF_GEO_H

#include <stddef.h>

struct geo_country {
    const char *code;
    const char *label;
};

struct geo_state {
    const char *country; /* country code */
    const char *code;
    const char *label;
};

extern const struct geo_country geo_countries[];
extern const size_t geo_ncountries;
extern const struct geo_state geo_states[];
extern const size_t geo_nstates;

/* Index into geo_countries by code or by label (ignoring case), or -1. */
int geo_country_by_code(const char *code);
int geo_country_by_label(const char *label);
/* Index into geo_states by (country code, state code) or (country code, state label), or -1. */
int geo_state_by_code(const char *country, const char *code);
int geo_state_by_label(const char *country, const char *label);

#endif
