package dev.latch.client.mail;

/** How the SMTP connection is protected before the access token is sent. */
public enum SmtpSecurity {
    /** Plain connection upgraded with STARTTLS (RFC 3207), usually port 587; refused if the server does not offer it. */
    STARTTLS,
    /** TLS from the first byte ("implicit TLS", RFC 8314), usually port 465. */
    SMTPS,
    /**
     * No TLS. The token would travel in clear, so this is accepted only for a loopback host
     * ({@code localhost}, {@code 127.0.0.0/8}, {@code ::1}): a local relay or a test server.
     */
    PLAINTEXT_LOOPBACK_ONLY
}
