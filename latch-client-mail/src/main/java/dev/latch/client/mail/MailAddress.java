package dev.latch.client.mail;

import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;

/**
 * One mailbox: the address ({@code user@example.com}) and an optional display name.
 * {@link #parse} accepts {@code user@example.com} or {@code Name <user@example.com>} (RFC 5322),
 * strictly: exactly one address, with a domain, no line breaks.
 *
 * @param address  the addr-spec, e.g. {@code user@example.com}
 * @param personal the display name, or null
 */
public record MailAddress(String address, String personal) {

    public MailAddress {
        if (address == null || address.isBlank()) {
            throw new IllegalArgumentException("address is empty");
        }
    }

    /**
     * @throws MailAddressException when {@code text} is not exactly one well-formed address with a domain
     */
    public static MailAddress parse(String text) {
        if (text == null || text.isBlank()) {
            throw new MailAddressException("empty mail address", java.util.List.of(String.valueOf(text)), null);
        }
        if (text.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw invalid(text, "control characters", null);
        }
        InternetAddress[] parsed;
        try {
            parsed = InternetAddress.parse(text, true);
        } catch (AddressException e) {
            throw invalid(text, e.getMessage(), e);
        }
        if (parsed.length != 1) {
            throw invalid(text, parsed.length == 0 ? "no address" : "more than one address", null);
        }
        InternetAddress a = parsed[0];
        String addr = a.getAddress();
        int at = addr == null ? -1 : addr.lastIndexOf('@');
        if (at <= 0 || at == addr.length() - 1 || a.isGroup()) {
            throw invalid(text, "expected user@domain", null);
        }
        try {
            a.validate();
        } catch (AddressException e) {
            throw invalid(text, e.getMessage(), e);
        }
        String personal = a.getPersonal();
        return new MailAddress(addr, personal == null || personal.isBlank() ? null : personal);
    }

    private static MailAddressException invalid(String text, String why, Throwable cause) {
        String shown = text.replaceAll("\\p{Cntrl}", "?");
        String reason = why == null ? "" : ": " + why.replaceAll("\\s+", " ");
        return new MailAddressException("invalid mail address '" + shown + "'" + reason, java.util.List.of(text), cause);
    }

    /** As Jakarta Mail wants it (display name encoded when needed). */
    InternetAddress toInternetAddress() {
        try {
            return personal == null ? new InternetAddress(address, true)
                    : new InternetAddress(address, personal, "UTF-8");
        } catch (AddressException | java.io.UnsupportedEncodingException e) {
            throw new MailAddressException("invalid mail address '" + address + "'", java.util.List.of(address), e);
        }
    }

    @Override
    public String toString() {
        return personal == null ? address : personal + " <" + address + ">";
    }
}
