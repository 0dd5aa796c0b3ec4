-- Session-bound consents (issue 3, RP-initiated logout "ends the session and its session-bound
-- consents"): a consent given with "ask me again next time" ticked records the SSO session's sid and
-- lasts only as long as that session; logout deletes it. A consent without sid is remembered until
-- revoked (latch users consents --revoke).
ALTER TABLE consents ADD COLUMN sid VARCHAR(100);
CREATE INDEX consents_sid ON consents (sid);
