package dev.latch.client.mail;

/**
 * Documented SMTP settings of providers that take an OAuth access token through SASL XOAUTH2, with the
 * scope the token must carry. Use with {@link XOAuth2SmtpSender#builder(SmtpProvider)}.
 */
public enum SmtpProvider {

    /**
     * Exchange Online (Office 365): {@code smtp.office365.com:587} with STARTTLS. The token is for
     * {@code https://outlook.office365.com/.default}: with client credentials the Entra app needs the
     * {@code SMTP.SendAsApp} application permission and an Exchange service principal with mailbox
     * permission; the mailbox needs SMTP AUTH enabled.
     */
    OFFICE365("smtp.office365.com", 587, SmtpSecurity.STARTTLS, "https://outlook.office365.com/.default"),

    /**
     * Gmail / Google Workspace: {@code smtp.gmail.com:587} with STARTTLS, scope
     * {@code https://mail.google.com/}; service accounts need domain-wide delegation with the mailbox
     * as {@code sub}.
     */
    GMAIL("smtp.gmail.com", 587, SmtpSecurity.STARTTLS, "https://mail.google.com/");

    private final String host;
    private final int port;
    private final SmtpSecurity security;
    private final String scope;

    SmtpProvider(String host, int port, SmtpSecurity security, String scope) {
        this.host = host;
        this.port = port;
        this.security = security;
        this.scope = scope;
    }

    public String host() { return host; }
    public int port() { return port; }
    public SmtpSecurity security() { return security; }
    /** The scope to request for the token used as the XOAUTH2 credential. */
    public String scope() { return scope; }
}
