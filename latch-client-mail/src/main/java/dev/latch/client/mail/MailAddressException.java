package dev.latch.client.mail;

import java.util.List;

/**
 * An address is malformed (found before anything is sent) or the server refused recipients.
 * {@link #addresses()} lists the offending addresses as given.
 */
public class MailAddressException extends MailException {

    private final List<String> addresses;

    public MailAddressException(String message, List<String> addresses, Throwable cause) {
        super(message, cause);
        this.addresses = List.copyOf(addresses);
    }

    /** The addresses at fault. */
    public List<String> addresses() {
        return addresses;
    }
}
