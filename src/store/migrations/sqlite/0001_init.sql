-- 0001_init.sql: the state store's first schema (docs/ENGINE.md, "State store").
--
-- Applied by store_sqlite.c at open, inside the migration transaction that
-- also records the schema version in meta. Times are epoch milliseconds.
-- Keys and indexes follow the engine's hot paths; each index says which.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,                -- JSON text
    updated_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE mappings (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    hs_property TEXT NOT NULL,
    sf_object   TEXT NOT NULL,
    sf_field    TEXT NOT NULL,
    rule        TEXT NOT NULL,
    builtin     INTEGER NOT NULL DEFAULT 0 CHECK (builtin IN (0, 1)),
    UNIQUE (kind, sf_object, hs_property)    -- also serves "mappings of a kind"
) STRICT;

CREATE TABLE links (
    link_id    TEXT PRIMARY KEY,             -- 'L' + 24 hex: by link id
    kind       TEXT NOT NULL,
    hs_id      TEXT,                         -- NULL until known
    sf_object  TEXT NOT NULL,
    sf_id      TEXT,                         -- NULL until known
    state      TEXT NOT NULL
               CHECK (state IN ('PENDING_CREATE', 'LINKED', 'FAILED', 'DETACHED', 'DELETED')),
    last_to_hs INTEGER NOT NULL DEFAULT 0,
    last_to_sf INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
-- by HubSpot record; one link per record
CREATE UNIQUE INDEX links_by_hs ON links (kind, hs_id);
-- by Salesforce record; one link per record
CREATE UNIQUE INDEX links_by_sf ON links (sf_object, sf_id);

CREATE TABLE ledger (
    link_id    TEXT NOT NULL REFERENCES links (link_id) ON DELETE CASCADE,
    field      TEXT NOT NULL,
    value      TEXT,                         -- NULL: agreed blank
    written_by TEXT NOT NULL,
    agreed_at  INTEGER NOT NULL,
    PRIMARY KEY (link_id, field)             -- by link
) STRICT, WITHOUT ROWID;

CREATE TABLE cursors (
    source     TEXT PRIMARY KEY,
    position   TEXT NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE inbox (
    id          INTEGER PRIMARY KEY,         -- take order: first capture first
    system      TEXT NOT NULL CHECK (system IN ('hubspot', 'salesforce')),
    object      TEXT NOT NULL,
    record_id   TEXT NOT NULL,
    version     INTEGER NOT NULL,
    deleted     INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    payload     TEXT NOT NULL,
    captured_at INTEGER NOT NULL,
    UNIQUE (system, object, record_id)       -- dedupe: one change per record, newest wins
) STRICT;

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    link_id         TEXT NOT NULL REFERENCES links (link_id) ON DELETE CASCADE,
    target          TEXT NOT NULL CHECK (target IN ('hubspot', 'salesforce')),
    object          TEXT NOT NULL,
    op              TEXT NOT NULL,
    payload         TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'waiting' CHECK (state IN ('waiting', 'claimed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,        -- for a claimed entry: when its lease ends
    created_at      INTEGER NOT NULL
) STRICT;
-- the earliest due entry, waiting or with a lapsed lease; per-state counts
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
-- a batch: due entries of one (target, object, op), earliest first
CREATE INDEX outbox_batch ON outbox (target, object, op, next_attempt_at);
-- the foreign key's child side
CREATE INDEX outbox_by_link ON outbox (link_id);

CREATE TABLE sync_errors (
    id          INTEGER PRIMARY KEY,
    system      TEXT NOT NULL,
    object      TEXT NOT NULL,
    record_id   TEXT NOT NULL,
    link_id     TEXT,
    category    TEXT NOT NULL,
    code        TEXT,
    message     TEXT,
    attempts    INTEGER NOT NULL,
    first_seen  INTEGER NOT NULL,
    last_seen   INTEGER NOT NULL,
    resolved_at INTEGER,                     -- NULL: open
    UNIQUE (system, object, record_id, category)   -- by record
) STRICT;
-- by category, open first; counts per category
CREATE INDEX sync_errors_by_category ON sync_errors (category, resolved_at, last_seen);

CREATE TABLE conflicts (
    id          INTEGER PRIMARY KEY,
    link_id     TEXT NOT NULL REFERENCES links (link_id) ON DELETE CASCADE,
    field       TEXT NOT NULL,
    hs_value    TEXT,
    hs_at       INTEGER NOT NULL,
    sf_value    TEXT,
    sf_at       INTEGER NOT NULL,
    rule        TEXT NOT NULL,
    winner      TEXT NOT NULL,
    recorded_at INTEGER NOT NULL
) STRICT;
-- a link's conflicts, newest first
CREATE INDEX conflicts_by_link ON conflicts (link_id, id);

CREATE TABLE decisions (
    id        INTEGER PRIMARY KEY,
    system    TEXT NOT NULL,
    object    TEXT NOT NULL,
    record_id TEXT NOT NULL,
    link_id   TEXT,
    action    TEXT NOT NULL,
    trace     TEXT NOT NULL,
    at        INTEGER NOT NULL
) STRICT;
-- a record's decisions, newest first, and the trim to the newest N
CREATE INDEX decisions_by_record ON decisions (system, object, record_id, id);

CREATE TABLE api_usage (
    vendor      TEXT NOT NULL,
    metric      TEXT NOT NULL,
    used        INTEGER NOT NULL,
    quota       INTEGER NOT NULL,
    reported_at INTEGER NOT NULL,
    PRIMARY KEY (vendor, metric)             -- the latest report per vendor and metric
) STRICT, WITHOUT ROWID;
