-- Refresh tokens (RFC 6749 §6, RFC 9700 §4.14): rotated on every use, grouped in families.
-- A family is what one authorization produced; reusing a rotated token revokes the whole family.
-- grant_data holds what the tokens stand for (subject, scope, resources, auth_time, sid, amr) as JSON.
CREATE TABLE refresh_families (
    family_id   VARCHAR(200) PRIMARY KEY,
    client_id   VARCHAR(255) NOT NULL,
    subject     VARCHAR(255) NOT NULL,
    grant_data  VARCHAR(100000) NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);
CREATE INDEX refresh_families_subject ON refresh_families (subject, client_id);
CREATE INDEX refresh_families_expiry ON refresh_families (expires_at);

-- Only SHA-256 digests of tokens are stored. rotated_at is set by the one use that wins
-- (an atomic UPDATE … WHERE rotated_at IS NULL); expires_at is the idle deadline.
CREATE TABLE refresh_tokens (
    token_digest VARCHAR(200) PRIMARY KEY,
    family_id    VARCHAR(200) NOT NULL REFERENCES refresh_families (family_id) ON DELETE CASCADE,
    issued_at    BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    rotated_at   BIGINT
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
