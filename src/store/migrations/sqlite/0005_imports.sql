-- 0005: import jobs (backfill): one row per `crmsync import`, with its progress.
--
-- An import reads a Salesforce object (all of it, or what a SOQL condition selects) or the
-- members of a HubSpot list in pages, and puts each record into the inbox as capture would. The
-- page's changes and the row's counts and position are stored in one transaction, so a run that
-- is killed resumes after the last page it recorded without queueing anything twice.
CREATE TABLE imports (
    id             INTEGER PRIMARY KEY,
    system         TEXT NOT NULL,            -- "salesforce" or "hubspot"
    object         TEXT NOT NULL,            -- Lead, Contact, Account, Opportunity; contacts
    filter         TEXT,                     -- Salesforce: the SOQL condition; NULL: every record
    list_id        TEXT,                     -- HubSpot: the list whose members are read
    state          TEXT NOT NULL,            -- running, done, failed, cancelled
    total          INTEGER NOT NULL,         -- records to read (COUNT() or the list's size); -1: unknown
    read           INTEGER NOT NULL DEFAULT 0,
    queued         INTEGER NOT NULL DEFAULT 0,
    position       TEXT,                     -- where the next page starts; NULL: the beginning
    started_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    finished_at    INTEGER NOT NULL DEFAULT 0,  -- 0: not finished
    run_started_at INTEGER NOT NULL,         -- when the latest run (the first or a resume) began
    run_read       INTEGER NOT NULL DEFAULT 0,  -- read when it began: the rate is this run's
    error          TEXT
) STRICT;

CREATE INDEX imports_state ON imports (state, id);
