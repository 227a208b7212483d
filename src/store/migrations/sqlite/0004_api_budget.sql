-- 0004: the Salesforce API budget and integration-level suspensions.
--
-- api_calls counts the API calls crmsync itself made, per vendor and minute (epoch minutes), so
-- the calls of the rolling last 24 hours are a sum over at most 1,440 rows, shared by every
-- process on the store. suspensions holds why the integration stopped calling a vendor (one
-- row per vendor and kind): `crmsync status` shows it and `crmsync suspension clear` removes it.
CREATE TABLE api_calls (
    vendor TEXT NOT NULL,                    -- "hubspot" or "salesforce"
    minute INTEGER NOT NULL,                 -- epoch ms / 60000
    calls  INTEGER NOT NULL,
    PRIMARY KEY (vendor, minute)
) STRICT, WITHOUT ROWID;

CREATE TABLE suspensions (
    vendor     TEXT NOT NULL,                -- "hubspot" or "salesforce"
    kind       TEXT NOT NULL,                -- allocation, api_limit, api_disabled, ...
    code       TEXT,                         -- the vendor's error code, when one caused it
    message    TEXT NOT NULL,                -- the vendor's message (or ours, for allocation)
    since      INTEGER NOT NULL,
    check_at   INTEGER NOT NULL,             -- when the engine tries again by itself; 0: never
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (vendor, kind)
) STRICT, WITHOUT ROWID;
