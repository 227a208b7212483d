/*
 * ids.h: Salesforce record ids: the 15-character case-sensitive form, the
 * 18-character form with its 3-character case checksum, key prefixes and
 * generation. Pure; used by the store (new ids), validation (lookups) and
 * every handler that reads an id from a URL or a body.
 */
#ifndef EMU_SF_IDS_H
#define EMU_SF_IDS_H

#include <stdint.h>

#define IDS_LEN 18

/* Writes the 3-character checksum of the first 15 characters of id into out (no NUL). */
void ids_checksum(const char *id15, char out[3]);

/* Canonicalises a 15- or 18-character id into its 18-character form (out has 19 bytes).
 * An 18-character id is matched ignoring case: its checksum restores the case of the first
 * 15 characters. Returns 0, or -1 when s is not a well-formed id. */
int ids_canonical(const char *s, char out[IDS_LEN + 1]);

/* A new 18-character id: 3-character prefix, then seq in base 62 (out has 19 bytes). */
void ids_make(const char *prefix, uint64_t seq, char out[IDS_LEN + 1]);

/* Whether the (canonical) id starts with prefix. */
int ids_has_prefix(const char *id, const char *prefix);

#endif
