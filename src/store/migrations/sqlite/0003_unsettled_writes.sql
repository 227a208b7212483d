-- 0003: values crmsync sent whose landing it could not confirm.
--
-- A write that timed out after it was sent and was read back as "not there" is sent again, but
-- the first request may still be held by the vendor and land later, behind newer writes. Its
-- values, one row per (link, side, field, value), let the planner tell that late landing from a
-- user's edit. Rows live a bounded time (the engine prunes by sent_at) and go once their landing
-- was seen.
CREATE TABLE unsettled_writes (
    link_id TEXT NOT NULL REFERENCES links (link_id) ON DELETE CASCADE,
    side    TEXT NOT NULL,                   -- "hubspot" or "salesforce": where it was sent
    field   TEXT NOT NULL,                   -- the ledger key
    value   TEXT NOT NULL,                   -- canonical; '' for blank
    sent_at INTEGER NOT NULL,
    PRIMARY KEY (link_id, side, field, value)
) STRICT, WITHOUT ROWID;

CREATE INDEX unsettled_writes_by_time ON unsettled_writes (sent_at);
