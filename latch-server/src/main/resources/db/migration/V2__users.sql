-- People who sign in (OpenID Connect). Portable between H2 and PostgreSQL like V1: times are epoch
-- seconds (BIGINT), claims and roles are JSON text, passwords are stored only as Argon2id PHC strings.

CREATE TABLE users (
    subject       VARCHAR(100) PRIMARY KEY,        -- OIDC sub: 128 random bits, never the username, never reused
    username      VARCHAR(200) NOT NULL UNIQUE,    -- as given (NFC)
    username_key  VARCHAR(400) NOT NULL UNIQUE,    -- case-folded NFKC form: 'Alice' and 'alice' cannot both exist
    claims        VARCHAR(100000) NOT NULL,        -- OIDC Core 5.1 standard claims, a JSON object
    roles         VARCHAR(100000) NOT NULL,        -- a JSON array of role names
    password_hash VARCHAR(500),                    -- $argon2id$v=19$m=...,t=...,p=...$salt$hash; null: cannot sign in with a password
    enabled       BOOLEAN DEFAULT TRUE NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
