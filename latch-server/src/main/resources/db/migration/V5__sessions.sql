-- Browser sign-in state (issue 3). Every secret value (session id, interaction id, CSRF token,
-- PAR request URI) is stored only as its SHA-256 digest.

-- Single sign-on sessions: created at login (a new id every time: the id rotates), ended at logout
-- or when idle / absolutely expired. sid is the public session identifier put into ID tokens.
CREATE TABLE browser_sessions (
    id_digest  VARCHAR(200) PRIMARY KEY,
    sid        VARCHAR(100) NOT NULL UNIQUE,
    subject    VARCHAR(255) NOT NULL,
    auth_time  BIGINT NOT NULL,
    last_seen  BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX browser_sessions_expiry ON browser_sessions (expires_at);

-- An authorization request waiting for the user (login, consent), bound to the pre-login browser
-- cookie; csrf_digest is the token of the one form currently shown for it.
CREATE TABLE interactions (
    id_digest      VARCHAR(200) PRIMARY KEY,
    browser_digest VARCHAR(200) NOT NULL,
    csrf_digest    VARCHAR(200) NOT NULL,
    parameters     VARCHAR(100000) NOT NULL,
    pushed         BOOLEAN NOT NULL,
    subject        VARCHAR(255),
    expires_at     BIGINT NOT NULL
);
CREATE INDEX interactions_expiry ON interactions (expires_at);

-- Consent remembered per user, client and scope set (OIDC Core §3.1.2.4).
CREATE TABLE consents (
    subject    VARCHAR(255) NOT NULL,
    client_id  VARCHAR(255) NOT NULL,
    scope      VARCHAR(4000) NOT NULL,
    granted_at BIGINT NOT NULL,
    PRIMARY KEY (subject, client_id, scope)
);

-- Pushed authorization requests (RFC 9126): single use, short-lived, bound to their client.
CREATE TABLE pushed_requests (
    uri_digest VARCHAR(200) PRIMARY KEY,
    client_id  VARCHAR(255) NOT NULL,
    parameters VARCHAR(100000) NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);
CREATE INDEX pushed_requests_expiry ON pushed_requests (expires_at);
