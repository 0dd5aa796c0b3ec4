-- Authorization codes (RFC 6749 §4.1.2): stored only as SHA-256 digests, single use, short-lived.
-- redeemed_at is set by the one redemption that wins (an atomic UPDATE … WHERE redeemed_at IS NULL);
-- issued_jtis / refresh_family record what the redemption produced, so a replay can revoke it.
CREATE TABLE authorization_codes (
    code_digest    VARCHAR(200) PRIMARY KEY,
    client_id      VARCHAR(255) NOT NULL,
    grant_data     VARCHAR(100000) NOT NULL,
    expires_at     BIGINT NOT NULL,
    redeemed_at    BIGINT,
    issued_jtis    VARCHAR(10000),
    refresh_family VARCHAR(200)
);
CREATE INDEX authorization_codes_expiry ON authorization_codes (expires_at);
