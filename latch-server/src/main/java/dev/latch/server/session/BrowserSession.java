package dev.latch.server.session;

/**
 * A signed-in browser: the single sign-on session behind the {@code latch_session} cookie.
 *
 * @param sid      public session identifier (OIDC Front-Channel Logout §3 {@code sid}), never the cookie value
 * @param authTime when the user last entered a password (OIDC Core §2 {@code auth_time}), epoch seconds
 */
public record BrowserSession(String sid, String subject, long authTime) {}
