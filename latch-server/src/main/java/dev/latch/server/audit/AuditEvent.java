package dev.latch.server.audit;

/**
 * Every kind of event the audit log holds, by the name written in its {@code event} field. The list,
 * with the fields each event carries, is docs/audit.md; a test keeps the two the same.
 */
public enum AuditEvent {
    /** The token endpoint answered with tokens (success) or with an RFC 6749 §5.2 error (failure). */
    TOKEN_ISSUE("token.issue"),
    /** An authorization code was sent to the client (success), or an error redirect instead (failure). */
    AUTHORIZE_CODE("authorize.code"),
    /** A password sign-in: succeeded, or failed (wrong credentials, throttled, busy). */
    SIGNIN("signin"),
    /** The user approved a client (success) or denied it (failure) on the consent page. */
    CONSENT_GRANT("consent.grant"),
    /** Remembered consents withdrawn (by an administrator or at sign-out for session-bound ones). */
    CONSENT_REVOKE("consent.revoke"),
    /** A rotated refresh token presented again: its whole family is revoked. */
    REFRESH_REUSE("refresh.reuse", true),
    /** An authorization code redeemed twice: what its first use produced is revoked. */
    CODE_REPLAY("code.replay", true),
    /** RFC 7009 revocation of an access token or a refresh-token family. */
    TOKEN_REVOKE("token.revoke"),
    /** OIDC RP-initiated logout ended a session. */
    LOGOUT("logout"),
    CLIENT_CREATE("client.create"),
    CLIENT_UPDATE("client.update"),
    CLIENT_DELETE("client.delete"),
    /** A new client secret was generated for a client. */
    CLIENT_SECRET_ROTATE("client.secret_rotate"),
    USER_CREATE("user.create"),
    USER_UPDATE("user.update"),
    USER_DELETE("user.delete"),
    USER_DISABLE("user.disable"),
    USER_ENABLE("user.enable"),
    /** A user's password was set by an administrator. */
    USER_PASSWORD("user.password"),
    KEY_ROTATE("key.rotate"),
    KEY_IMPORT("key.import"),
    KEY_UNPUBLISH("key.unpublish"),
    /** A {@code latch config export} document was imported. */
    CONFIG_IMPORT("config.import"),
    /** {@code latch backup} wrote a backup file. */
    BACKUP("backup"),
    /** {@code latch restore} put a backup in place of an instance's data. */
    RESTORE("restore"),
    /** A SMART EHR launch was created (by the launch endpoint, the simulator or the CLI). */
    SMART_LAUNCH("smart.launch"),
    /** A patient was chosen in the SMART patient picker (success), or the picker was refused (failure). */
    SMART_PICK("smart.pick");

    private final String name;
    private final boolean alarm;

    AuditEvent(String name) {
        this(name, false);
    }

    AuditEvent(String name, boolean alarm) {
        this.name = name;
        this.alarm = alarm;
    }

    /** The value of the {@code event} field. */
    public String eventName() {
        return name;
    }

    /** Written at WARN rather than INFO: the event is a sign of a stolen credential. */
    public boolean alarm() {
        return alarm;
    }
}
