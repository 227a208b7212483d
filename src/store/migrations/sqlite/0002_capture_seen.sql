-- 0002: the rows a capture lookback has already read.
--
-- A Salesforce source re-reads a window behind its cursor (late commits) and must not capture a
-- row it already holds: same record, same SystemModstamp, same values (a digest of them, since a
-- record changed twice in one second keeps its stamp). One row per (source, record): the latest
-- version read. Rows older than the lookback behind the cursor are pruned as the cursor moves.
CREATE TABLE capture_seen (
    source    TEXT NOT NULL,
    record_id TEXT NOT NULL,
    version   INTEGER NOT NULL,
    digest    TEXT NOT NULL,
    PRIMARY KEY (source, record_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX capture_seen_by_version ON capture_seen (source, version);
