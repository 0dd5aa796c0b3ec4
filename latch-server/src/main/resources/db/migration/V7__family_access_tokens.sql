-- RFC 7009 §2.1: revoking a refresh token revokes the access tokens issued under the same grant.
-- Each access token issued with a refresh-token family (by the code exchange that started it and
-- by every refresh) is recorded here; when the family is revoked, their jtis go to revoked_tokens.
-- No foreign key: a row lives until its token expires, which may be after its family has ended.
CREATE TABLE family_access_tokens (
    jti        VARCHAR(200) PRIMARY KEY,
    family_id  VARCHAR(200) NOT NULL,
    client_id  VARCHAR(255) NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX family_access_tokens_family ON family_access_tokens (family_id);
CREATE INDEX family_access_tokens_expiry ON family_access_tokens (expires_at);
