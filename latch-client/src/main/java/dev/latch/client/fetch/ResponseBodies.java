package dev.latch.client.fetch;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** Reading a response body with a size limit, so a server cannot make the client buffer without end. */
public final class ResponseBodies {

    /** The limit for metadata, JWK sets and token responses (each a few KiB): 1 MiB. */
    public static final int MAX_BYTES = 1 << 20;

    private ResponseBodies() {}

    /** The body as UTF-8 text, the stream closed; empty when it is longer than {@code limit} bytes (the rest is not read). */
    public static Optional<String> utf8(InputStream body, int limit) throws IOException {
        try (InputStream in = body) {
            byte[] bytes = in.readNBytes(limit + 1);
            return bytes.length > limit ? Optional.empty() : Optional.of(new String(bytes, StandardCharsets.UTF_8));
        }
    }
}
