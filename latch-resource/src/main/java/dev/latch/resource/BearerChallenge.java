package dev.latch.resource;

/** Writes RFC 6750 §3 {@code WWW-Authenticate: Bearer} challenges (with RFC 9728 §5.1 {@code resource_metadata}). */
public final class BearerChallenge {

    private BearerChallenge() {}

    /**
     * @param error            RFC 6750 error code, or null (no credentials were sent: no error attribute, §3.1)
     * @param description      {@code error_description}, or null; characters outside %x20-21 / %x23-5B / %x5D-7E are replaced
     * @param scope            {@code scope}, or null
     * @param resourceMetadata {@code resource_metadata}, or null
     */
    public static String of(String error, String description, String scope, String resourceMetadata) {
        StringBuilder b = new StringBuilder("Bearer");
        String sep = " ";
        if (error != null && !"temporarily_unavailable".equals(error)) {
            b.append(sep).append("error=\"").append(quoted(error)).append('"');
            sep = ", ";
            if (description != null) {
                b.append(sep).append("error_description=\"").append(quoted(description)).append('"');
            }
        }
        if (scope != null) {
            b.append(sep).append("scope=\"").append(quoted(scope)).append('"');
            sep = ", ";
        }
        if (resourceMetadata != null) {
            b.append(sep).append("resource_metadata=\"").append(quoted(resourceMetadata)).append('"');
        }
        return b.toString();
    }

    /** RFC 6750 §3: the attribute values may hold only %x20-21 / %x23-5B / %x5D-7E. */
    private static String quoted(String value) {
        StringBuilder b = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            b.append(c >= 0x20 && c <= 0x7e && c != '"' && c != '\\' ? c : '?');
        }
        return b.toString();
    }
}
