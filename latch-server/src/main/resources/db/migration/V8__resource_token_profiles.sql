-- Access-token profiles per resource (issue 11 §6): a token whose audience is this RFC 8707 resource
-- indicator is typed at+jwt (rfc9068) or JWT (jwt); resources not listed take tokens.default-profile.
CREATE TABLE resources (
    uri           VARCHAR(2000) PRIMARY KEY,
    token_profile VARCHAR(20)   NOT NULL,
    updated_at    BIGINT        NOT NULL
);
