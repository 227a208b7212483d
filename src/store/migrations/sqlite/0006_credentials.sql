-- 0006: credentials saved at run time (admin API, `crmsync credentials`), one row per vendor.
--
-- The secrets (password, security token, refresh token, client secret) are kept only sealed
-- (AES-256-GCM, src/core/secret.h; base64 text); what an admin may see is kept in clear next to
-- them. A row whose sealed is NULL holds no credentials: the file's are used, and the validity
-- columns are those of the file's credentials. updated_at moves on every save and every forget
-- (never backwards), so the engine sees a change by comparing it with the one it built its
-- connector from; 0 means stored credentials were never saved or forgotten.
CREATE TABLE credentials (
    vendor     TEXT PRIMARY KEY,             -- "salesforce"
    sealed     TEXT,                         -- the sealed secrets; NULL: none stored
    username   TEXT,
    login_url  TEXT,                         -- the OAuth host the credentials log in at
    sandbox    INTEGER NOT NULL DEFAULT 0,
    grant_type TEXT,                         -- "password" or "refresh_token"
    valid      INTEGER,                      -- 1 logged in, 0 refused, NULL not known
    checked_at INTEGER NOT NULL DEFAULT 0,   -- when valid was last found; 0: never
    error      TEXT,                         -- the vendor's refusal when valid is 0
    updated_at INTEGER NOT NULL
) STRICT;
