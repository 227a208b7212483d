/*
 * query.h: query locators, the server-side cursors behind nextRecordsUrl.
 *
 * A locator keeps a query's full result (the record versions it matched,
 * which stores never change in place) and its parsed query for
 * projection, so later pages cost only their own projection. Locators
 * live two days on the emulator's clock; the table has its own mutex and
 * caps (2,000 locators, 5,000,000 rows held in all), the oldest going
 * first. Used by query.c's handlers and server.c.
 */
#ifndef EMU_SF_QUERY_H
#define EMU_SF_QUERY_H

struct sf_locators;

struct sf_locators *locators_new(void);
void locators_free(struct sf_locators *l);
void locators_clear(struct sf_locators *l);

#endif
