-- Failed password sign-ins, counted per account and per client address for every node of a cluster
-- (LoginThrottle), so adding nodes gives an attacker no more guesses. One row per key:
-- 'account:' + SHA-256 digest of the lower-cased username (no username typed by anyone is stored),
-- or 'ip:' + the address. A failure is one upsert; an attempt is one read of two rows. last_failure is
-- epoch milliseconds; a row counts until expires_at (epoch seconds, an hour after its last failure), and
-- the expiry purge removes it after that.
CREATE TABLE login_failures (
    throttle_key VARCHAR(200) PRIMARY KEY,
    failures     INTEGER NOT NULL,
    last_failure BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL
);
CREATE INDEX login_failures_expiry ON login_failures (expires_at);
