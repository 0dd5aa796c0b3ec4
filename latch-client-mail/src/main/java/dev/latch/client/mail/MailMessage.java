package dev.latch.client.mail;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A message to send, independent of how it is sent (SMTP or Microsoft Graph): sender, recipients,
 * subject, a plain-text and/or HTML body, and file attachments. Immutable; made with {@link #builder()}.
 * Addresses are checked when the message is built, so a malformed address fails before any
 * connection is made.
 */
public final class MailMessage {

    private final MailAddress from;
    private final List<MailAddress> to;
    private final List<MailAddress> cc;
    private final List<MailAddress> bcc;
    private final String subject;
    private final String text;
    private final String html;
    private final List<MailAttachment> attachments;

    private MailMessage(Builder b, MailAddress from, List<MailAddress> to, List<MailAddress> cc, List<MailAddress> bcc) {
        this.from = from;
        this.to = List.copyOf(to);
        this.cc = List.copyOf(cc);
        this.bcc = List.copyOf(bcc);
        this.subject = b.subject;
        this.text = b.text;
        this.html = b.html;
        this.attachments = List.copyOf(b.attachments);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The sender: the From address, and for Graph the mailbox that sends. */
    public MailAddress from() { return from; }
    public List<MailAddress> to() { return to; }
    public List<MailAddress> cc() { return cc; }
    public List<MailAddress> bcc() { return bcc; }
    public String subject() { return subject; }
    /** The plain-text body, or null. */
    public String text() { return text; }
    /** The HTML body, or null. */
    public String html() { return html; }
    public List<MailAttachment> attachments() { return attachments; }

    /** To, Cc and Bcc together. */
    public List<MailAddress> allRecipients() {
        List<MailAddress> all = new ArrayList<>(to);
        all.addAll(cc);
        all.addAll(bcc);
        return all;
    }

    public static final class Builder {
        private String from;
        private final List<String> to = new ArrayList<>();
        private final List<String> cc = new ArrayList<>();
        private final List<String> bcc = new ArrayList<>();
        private String subject = "";
        private String text;
        private String html;
        private final List<MailAttachment> attachments = new ArrayList<>();

        private Builder() {}

        /** {@code user@example.com} or {@code Name <user@example.com>}. */
        public Builder from(String address) { this.from = address; return this; }
        public Builder to(String... addresses) { this.to.addAll(List.of(addresses)); return this; }
        public Builder cc(String... addresses) { this.cc.addAll(List.of(addresses)); return this; }
        public Builder bcc(String... addresses) { this.bcc.addAll(List.of(addresses)); return this; }
        public Builder subject(String subject) { this.subject = subject; return this; }
        /** The plain-text body. With {@link #html} as well, SMTP sends both as alternatives; Graph sends the HTML. */
        public Builder text(String text) { this.text = text; return this; }
        public Builder html(String html) { this.html = html; return this; }
        public Builder attach(MailAttachment... attachments) { this.attachments.addAll(List.of(attachments)); return this; }

        /**
         * @throws MailAddressException     when an address is malformed (all malformed addresses are listed)
         * @throws IllegalArgumentException when the sender, every recipient or both bodies are missing,
         *                                  or the subject contains a line break
         */
        public MailMessage build() {
            if (from == null) {
                throw new IllegalArgumentException("the message has no sender (from)");
            }
            if (to.isEmpty() && cc.isEmpty() && bcc.isEmpty()) {
                throw new IllegalArgumentException("the message has no recipient (to, cc or bcc)");
            }
            if (subject == null) {
                throw new IllegalArgumentException("subject is null (use \"\" for none)");
            }
            if (subject.indexOf('\r') >= 0 || subject.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("subject contains a line break");
            }
            if (text == null && html == null) {
                throw new IllegalArgumentException("the message has no body (text or html)");
            }
            Set<String> bad = new LinkedHashSet<>();
            List<String> reasons = new ArrayList<>();
            MailAddress sender = parse(from, bad, reasons);
            List<MailAddress> toList = parseAll(to, bad, reasons);
            List<MailAddress> ccList = parseAll(cc, bad, reasons);
            List<MailAddress> bccList = parseAll(bcc, bad, reasons);
            if (!bad.isEmpty()) {
                String message = reasons.size() == 1 ? reasons.get(0)
                        : bad.size() + " invalid mail addresses: " + String.join("; ", reasons);
                throw new MailAddressException(message, List.copyOf(bad), null);
            }
            return new MailMessage(this, sender, toList, ccList, bccList);
        }

        private static List<MailAddress> parseAll(List<String> texts, Set<String> bad, List<String> reasons) {
            List<MailAddress> out = new ArrayList<>();
            for (String t : texts) {
                MailAddress a = parse(t, bad, reasons);
                if (a != null) out.add(a);
            }
            return out;
        }

        private static MailAddress parse(String text, Set<String> bad, List<String> reasons) {
            try {
                return MailAddress.parse(text);
            } catch (MailAddressException e) {
                bad.add(String.valueOf(text));
                reasons.add(e.getMessage());
                return null;
            }
        }
    }
}
