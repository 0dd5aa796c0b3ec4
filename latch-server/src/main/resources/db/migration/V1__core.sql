-- Latch core schema. Portable between H2 and PostgreSQL: times are epoch seconds (BIGINT),
-- documents are JSON text, secrets are stored only as digests or master-key ciphertext.

CREATE TABLE settings (
    name  VARCHAR(200) PRIMARY KEY,
    setting_value VARCHAR(100000) NOT NULL
);

CREATE TABLE scopes (
    name        VARCHAR(200) PRIMARY KEY,
    description VARCHAR(2000)
);

CREATE TABLE signing_keys (
    kid             VARCHAR(200) PRIMARY KEY,
    alg             VARCHAR(20)  NOT NULL,
    public_jwk      VARCHAR(100000) NOT NULL,
    private_jwk     VARCHAR(100000),        -- AES-GCM under the master key; null for public-only (imported export)
    created_at      BIGINT NOT NULL,
    activate_at     BIGINT NOT NULL,        -- signs from here on (published earlier, at created_at)
    retired_at      BIGINT,                 -- signs nothing from here on
    unpublish_at    BIGINT                  -- leaves the JWKS here (every token it signed has expired)
);

CREATE TABLE clients (
    client_id                 VARCHAR(255) PRIMARY KEY,
    metadata                  VARCHAR(1000000) NOT NULL,
    secret_digest             VARCHAR(200),
    secret_encrypted          VARCHAR(10000),
    registration_token_digest VARCHAR(200),
    created_at                BIGINT NOT NULL,
    updated_at                BIGINT NOT NULL
);

-- RFC 7523 §3 item 7: a client assertion's jti is used once. The primary key makes the first
-- insert win atomically, across nodes.
CREATE TABLE used_jtis (
    client_id  VARCHAR(255) NOT NULL,
    jti        VARCHAR(512) NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (client_id, jti)
);
CREATE INDEX used_jtis_expiry ON used_jtis (expires_at);

-- Opaque (reference) access tokens, stored only as SHA-256 digests.
CREATE TABLE opaque_tokens (
    token_digest VARCHAR(200) PRIMARY KEY,
    jti          VARCHAR(200) NOT NULL,
    client_id    VARCHAR(255) NOT NULL,
    claims       VARCHAR(100000) NOT NULL,
    expires_at   BIGINT NOT NULL,
    revoked      BOOLEAN DEFAULT FALSE NOT NULL
);
CREATE INDEX opaque_tokens_expiry ON opaque_tokens (expires_at);

-- RFC 7009 for self-contained tokens: revoked JWT access tokens, by jti, until they expire.
CREATE TABLE revoked_tokens (
    jti        VARCHAR(200) PRIMARY KEY,
    client_id  VARCHAR(255) NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX revoked_tokens_expiry ON revoked_tokens (expires_at);
