package dev.latch.client.mail;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.latch.client.fetch.EndpointUrls;
import dev.latch.client.fetch.HttpFailure;
import dev.latch.client.token.AccessToken;
import dev.latch.client.token.TokenSource;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/**
 * Sends mail through Microsoft Graph as the message's sender mailbox, with an application (client
 * credentials) or delegated token for {@value #SCOPE} from a {@link TokenSource}.
 *
 * <p>A message whose attachments are all under {@value #UPLOAD_SESSION_THRESHOLD} bytes and whose request
 * stays under Graph's 4 MB request limit goes in one request: {@code POST /v1.0/users/{sender}/sendMail}
 * (202 Accepted) with the message as JSON and file attachments in base64. Application tokens have no
 * {@code /me}, so the sender is always named. Otherwise the message is built as a draft:
 * {@code POST /users/{sender}/messages}, each small attachment {@code POST .../messages/{id}/attachments},
 * each large one (up to {@value #MAX_ATTACHMENT_SIZE} bytes) through an upload session
 * ({@code .../attachments/createUploadSession}, then {@code PUT}s of at most 4 MiB, multiples of 320 KiB,
 * to the pre-authenticated upload URL without an {@code Authorization} header), and finally
 * {@code POST .../messages/{id}/send}. If building the draft fails it is deleted. A draft that is sent is
 * always kept in Sent Items (Graph has no {@code saveToSentItems} for it).
 *
 * <p>A 401 makes the token source drop the token and the request is repeated once with a fresh one
 * (Graph says why in its JSON {@code InvalidAuthenticationToken}, not with RFC 6750's
 * {@code error="invalid_token"} that latch-client's {@code BearerHttpClient} waits for, hence a client of its own here);
 * a 429 or 503 with {@code Retry-After} is waited out (up to {@link Builder#maxRetryAfter}) and repeated
 * once. Redirects are never followed (the token must not go elsewhere). Graph's permissions: application
 * {@code Mail.Send}, and {@code Mail.ReadWrite} for the draft route. The From line shows the sender
 * mailbox's own display name (Graph ignores the one in {@link MailMessage#from()}).
 *
 * <pre>{@code
 * MailSender mail = GraphMailSender.builder().tokenSource(tokens).build(); // tokens for GraphMailSender.SCOPE
 * mail.send(MailMessage.builder().from("reports@contoso.com").to("ops@contoso.com")
 *         .subject("Nightly report").html("<p>See attachment.</p>")
 *         .attach(MailAttachment.file(Path.of("report.pdf"), "application/pdf")).build());
 * }</pre>
 */
public final class GraphMailSender implements MailSender {

    /** Graph's global endpoint. National clouds have their own (e.g. {@code https://graph.microsoft.us}). */
    public static final URI DEFAULT_BASE_URL = URI.create("https://graph.microsoft.com");
    /** The scope an application token for Graph is requested with. */
    public static final String SCOPE = "https://graph.microsoft.com/.default";
    /** Attachments of this many bytes or more go through an upload session (Graph: "under 3 MB" in one request). */
    public static final long UPLOAD_SESSION_THRESHOLD = 3_000_000;
    /** The largest attachment Graph takes ("150 MB", read as decimal megabytes to stay under it either way). */
    public static final long MAX_ATTACHMENT_SIZE = 150_000_000;
    /** Upload-session chunks must be multiples of 320 KiB. */
    public static final int CHUNK_UNIT = 320 * 1024;
    /** Default chunk: 12 × 320 KiB = 3.75 MiB, under Graph's 4 MiB per PUT. */
    public static final int DEFAULT_CHUNK_SIZE = 12 * CHUNK_UNIT;
    private static final int MAX_CHUNK_SIZE = 4 * 1024 * 1024;
    /** Graph refuses requests over 4 MB; the single-request route stays below this many bytes of JSON. */
    static final int MAX_REQUEST_BYTES = 4_000_000;
    /** How often one range is sent again when the upload session keeps asking for it. */
    private static final int MAX_RANGE_REPEATS = 2;

    /** Waits before a throttled request is repeated; tests give one that records instead of sleeping. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    private final URI baseUrl;
    private final TokenSource tokens;
    private final boolean saveToSentItems;
    private final long maxAttachmentSize;
    private final int chunkSize;
    private final Duration requestTimeout;
    private final Duration maxRetryAfter;
    private final Clock clock;
    private final Sleeper sleeper;
    private final HttpClient http;

    private GraphMailSender(Builder b) {
        this.baseUrl = b.baseUrl;
        this.tokens = b.tokens;
        this.saveToSentItems = b.saveToSentItems;
        this.maxAttachmentSize = b.maxAttachmentSize;
        this.chunkSize = b.chunkSize;
        this.requestTimeout = b.requestTimeout;
        this.maxRetryAfter = b.maxRetryAfter;
        this.clock = b.clock;
        this.sleeper = b.sleeper;
        HttpClient.Builder http = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER) // a redirect would carry the token to wherever it points
                .connectTimeout(b.connectTimeout);
        if (b.sslContext != null) {
            http.sslContext(b.sslContext);
        }
        this.http = http.build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public URI baseUrl() {
        return baseUrl;
    }

    /**
     * Sends {@code message} as the mailbox {@code message.from()}.
     *
     * @throws MailAttachmentException an attachment is missing, unreadable or over the size limit (before any request)
     * @throws GraphErrorException     Graph refused a request (status, code and message inside)
     * @throws MailConnectionException Graph could not be reached or timed out
     */
    @Override
    public void send(MailMessage message) {
        List<Long> sizes = new ArrayList<>();
        for (MailAttachment a : message.attachments()) {
            long size = a.size();
            if (size > maxAttachmentSize) {
                throw new MailAttachmentException("attachment " + a.name() + " is " + size + " bytes; Microsoft Graph takes at most "
                        + maxAttachmentSize + " bytes per attachment", null);
            }
            sizes.add(size);
        }
        String user = "/v1.0/users/" + pathSegment(message.from().address());
        boolean small = sizes.stream().allMatch(s -> s < UPLOAD_SESSION_THRESHOLD)
                && sizes.stream().mapToLong(Long::longValue).sum() < UPLOAD_SESSION_THRESHOLD;
        if (small) {
            Map<String, Object> json = messageJson(message);
            if (!message.attachments().isEmpty()) {
                json.put("attachments", message.attachments().stream().map(a -> fileAttachment(a, a.readAllBytes())).toList());
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("message", json);
            body.put("saveToSentItems", saveToSentItems);
            byte[] request = JSONObjectUtils.toJSONString(body).getBytes(StandardCharsets.UTF_8);
            if (request.length <= MAX_REQUEST_BYTES) {
                call("sendMail for " + message.from().address(), () -> post(user + "/sendMail", request), true, 202);
                return;
            }
        }
        sendAsDraft(user, message, sizes);
    }

    private void sendAsDraft(String user, MailMessage message, List<Long> sizes) {
        String sender = message.from().address();
        byte[] draft = JSONObjectUtils.toJSONString(messageJson(message)).getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> created = call("creating a draft for " + sender, () -> post(user + "/messages", draft), true, 201);
        String id = string(json(created), "id");
        if (id == null || id.isBlank()) {
            throw new MailException("Microsoft Graph created a draft for " + sender + " but gave no message id", null);
        }
        String messagePath = user + "/messages/" + pathSegment(id);
        try {
            for (int i = 0; i < message.attachments().size(); i++) {
                MailAttachment a = message.attachments().get(i);
                long size = sizes.get(i);
                if (size < UPLOAD_SESSION_THRESHOLD) {
                    byte[] request = JSONObjectUtils.toJSONString(fileAttachment(a, a.readAllBytes())).getBytes(StandardCharsets.UTF_8);
                    call("attaching " + a.name(), () -> post(messagePath + "/attachments", request), true, 201);
                } else {
                    upload(messagePath, a, size);
                }
            }
        } catch (RuntimeException e) {
            deleteDraftQuietly(messagePath);
            throw e;
        }
        call("sending the draft of " + sender, () -> post(messagePath + "/send", new byte[0]), true, 202);
    }

    /** Microsoft's "attach large files to Outlook messages": an upload session, then the bytes in ranges. */
    private void upload(String messagePath, MailAttachment a, long size) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("attachmentType", "file");
        item.put("name", a.name());
        item.put("size", size);
        item.put("contentType", a.contentType());
        byte[] request = JSONObjectUtils.toJSONString(Map.of("AttachmentItem", item)).getBytes(StandardCharsets.UTF_8);
        String what = "uploading " + a.name();
        HttpResponse<String> session = call(what, () -> post(messagePath + "/attachments/createUploadSession", request), true, 201);
        URI uploadUrl = uploadUrl(string(json(session), "uploadUrl"), a);
        long offset = 0;
        int stalls = 0;
        long maxRequests = 3 * ((size + chunkSize - 1) / chunkSize) + MAX_RANGE_REPEATS;
        for (long requests = 1; ; requests++) {
            int length = (int) Math.min(chunkSize, size - offset);
            byte[] chunk = a.readRange(offset, length);
            long start = offset;
            // no Authorization header: the upload URL carries its own credential, and the token must not go there
            HttpResponse<String> r = call(what, () -> HttpRequest.newBuilder(uploadUrl).timeout(requestTimeout)
                    .header("Content-Type", "application/octet-stream")
                    .header("Content-Range", "bytes " + start + "-" + (start + length - 1) + "/" + size)
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(chunk)), false, 200, 201);
            long end = start + length;
            if (r.statusCode() == 201) {
                if (end == size) {
                    return; // Graph answers the last range with 201 Created and the attachment's Location
                }
                throw new MailException("Microsoft Graph ended the upload of " + a.name() + " after " + end + " of " + size + " bytes", null);
            }
            long next = nextExpected(r, end);
            if (end == size && next >= size) {
                return; // a 200 for the last range with nothing more expected
            }
            // a range the server did not keep is sent again, but not for ever
            stalls = next > start ? 0 : stalls + 1;
            if (next < 0 || next >= size || stalls > MAX_RANGE_REPEATS || requests >= maxRequests) {
                throw new MailException("Microsoft Graph asked for bytes from " + next + " of " + a.name()
                        + (stalls > 0 ? " again" : "") + " after receiving " + start + "-" + (end - 1) + " of " + size, null);
            }
            offset = next;
        }
    }

    private static long nextExpected(HttpResponse<String> r, long fallback) {
        try {
            Object ranges = JSONObjectUtils.parse(r.body()).get("nextExpectedRanges");
            if (ranges instanceof List<?> list && !list.isEmpty() && list.get(0) instanceof String first) {
                int dash = first.indexOf('-'); // Outlook gives "{start}"; OneDrive-style "{start}-{end}" is read the same way
                return Long.parseLong(dash < 0 ? first.strip() : first.substring(0, dash).strip());
            }
        } catch (ParseException | NumberFormatException e) {
            // no usable hint: continue after what was sent
        }
        return fallback;
    }

    private URI uploadUrl(String value, MailAttachment a) {
        try {
            URI uri = value == null ? null : new URI(value);
            if (uri == null || EndpointUrls.problem(uri) != null) {
                throw new MailException("Microsoft Graph gave no usable upload URL for " + a.name(), null);
            }
            return uri;
        } catch (java.net.URISyntaxException e) {
            throw new MailException("Microsoft Graph gave no usable upload URL for " + a.name(), e);
        }
    }

    private void deleteDraftQuietly(String messagePath) {
        try {
            call("deleting the unsent draft", () -> request(messagePath).DELETE(), true, 204, 200, 404);
        } catch (RuntimeException ignored) {
            // the failure that made us clean up is the one to report
        }
    }

    private static Map<String, Object> messageJson(MailMessage m) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("subject", m.subject());
        boolean html = m.html() != null;
        json.put("body", Map.of("contentType", html ? "HTML" : "Text", "content", html ? m.html() : m.text()));
        putRecipients(json, "toRecipients", m.to());
        putRecipients(json, "ccRecipients", m.cc());
        putRecipients(json, "bccRecipients", m.bcc());
        return json;
    }

    private static void putRecipients(Map<String, Object> json, String name, List<MailAddress> addresses) {
        if (addresses.isEmpty()) {
            return;
        }
        json.put(name, addresses.stream().map(a -> {
            Map<String, Object> address = new LinkedHashMap<>();
            address.put("address", a.address());
            if (a.personal() != null) {
                address.put("name", a.personal());
            }
            return Map.of("emailAddress", address);
        }).toList());
    }

    private static Map<String, Object> fileAttachment(MailAttachment a, byte[] content) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("@odata.type", "#microsoft.graph.fileAttachment");
        json.put("name", a.name());
        json.put("contentType", a.contentType());
        json.put("contentBytes", Base64.getEncoder().encodeToString(content));
        return json;
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(baseUrl.resolve(path)).timeout(requestTimeout).header("Accept", "application/json");
    }

    private HttpRequest.Builder post(String path, byte[] json) {
        return request(path).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(json));
    }

    /**
     * One Graph request with the retry rules: a 401 (when {@code authorize}) once with a fresh token, a
     * 429/503 with an acceptable {@code Retry-After} once after waiting it out.
     */
    private HttpResponse<String> call(String what, Supplier<HttpRequest.Builder> request, boolean authorize, int... expected) {
        AccessToken token = authorize ? tokens.token() : null;
        boolean tokenRetried = false;
        boolean throttleRetried = false;
        while (true) {
            HttpRequest.Builder b = request.get();
            if (token != null) {
                b.header("Authorization", "Bearer " + token.value());
            }
            HttpResponse<String> r = exchange(b.build(), what);
            for (int status : expected) {
                if (r.statusCode() == status) {
                    return r;
                }
            }
            if (r.statusCode() == 401 && authorize && !tokenRetried) {
                tokens.invalidate(token); // revoked or expired early: a fresh token, once
                token = tokens.token();
                tokenRetried = true;
                continue;
            }
            Duration retryAfter = HttpFailure.retryAfter(r.headers().firstValue("Retry-After"), clock).orElse(null);
            if ((r.statusCode() == 429 || r.statusCode() == 503) && !throttleRetried
                    && retryAfter != null && retryAfter.compareTo(maxRetryAfter) <= 0) {
                sleep(retryAfter, what);
                throttleRetried = true;
                continue;
            }
            throw graphError(what, r, retryAfter);
        }
    }

    private HttpResponse<String> exchange(HttpRequest request, String what) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new MailConnectionException("Microsoft Graph: " + HttpFailure.describe(request.uri(), e) + " (while " + what + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MailConnectionException("interrupted while " + what, e);
        }
    }

    private void sleep(Duration d, String what) {
        try {
            sleeper.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MailConnectionException("interrupted while waiting to retry " + what, e);
        }
    }

    private static GraphErrorException graphError(String what, HttpResponse<String> r, Duration retryAfter) {
        String code = null;
        String message = null;
        String requestId = r.headers().firstValue("request-id").orElse(null);
        try {
            Object error = JSONObjectUtils.parse(r.body()).get("error");
            if (error instanceof Map<?, ?> e) {
                code = e.get("code") instanceof String c ? c : null;
                message = e.get("message") instanceof String m ? MailException.oneLine(m) : null;
                if (e.get("innerError") instanceof Map<?, ?> inner && inner.get("request-id") instanceof String id) {
                    requestId = id;
                }
            }
        } catch (ParseException | RuntimeException notGraphJson) {
            // an HTML error page from a proxy, an empty body: the status says it all
        }
        StringBuilder text = new StringBuilder("Microsoft Graph answered ").append(r.statusCode());
        if (code != null) {
            text.append(' ').append(code);
        }
        text.append(" while ").append(what);
        if (message != null && !message.isEmpty()) {
            text.append(": ").append(message);
        } else if (r.statusCode() >= 300 && r.statusCode() < 400) {
            text.append(" (a redirect, not followed with a token)");
        }
        if (retryAfter != null && (r.statusCode() == 429 || r.statusCode() == 503)) {
            text.append(" (Retry-After ").append(retryAfter.toSeconds()).append(" s)");
        }
        if (requestId != null) {
            text.append(" [request-id ").append(MailException.oneLine(requestId)).append(']');
        }
        return new GraphErrorException(text.toString(), r.statusCode(), code, message, requestId, retryAfter);
    }

    private static Map<String, Object> json(HttpResponse<String> r) {
        try {
            return JSONObjectUtils.parse(r.body());
        } catch (ParseException e) {
            throw new MailException("Microsoft Graph answered " + r.statusCode() + " with a body that is not JSON", e);
        }
    }

    private static String string(Map<String, Object> json, String name) {
        return json.get(name) instanceof String s ? s : null;
    }

    /** RFC 3986 path segment: everything but unreserved characters percent-encoded (so {@code /}, {@code ?}, {@code #} cannot escape the segment). */
    static String pathSegment(String value) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~') {
                out.append(c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
            }
        }
        return out.toString();
    }

    public static final class Builder {
        private URI baseUrl = DEFAULT_BASE_URL;
        private TokenSource tokens;
        private boolean saveToSentItems = true;
        private long maxAttachmentSize = MAX_ATTACHMENT_SIZE;
        private int chunkSize = DEFAULT_CHUNK_SIZE;
        private Duration connectTimeout = Duration.ofSeconds(15);
        private Duration requestTimeout = Duration.ofSeconds(120);
        private Duration maxRetryAfter = Duration.ofSeconds(60);
        private SSLContext sslContext;
        private Clock clock = Clock.systemUTC();
        private Sleeper sleeper = d -> Thread.sleep(d.toMillis());

        private Builder() {}

        /** Where access tokens for {@link #SCOPE} come from. */
        public Builder tokenSource(TokenSource tokens) { this.tokens = tokens; return this; }

        /**
         * Graph's base URL, default {@code https://graph.microsoft.com}; https, or http to a loopback host (tests).
         */
        public Builder baseUrl(String baseUrl) { return baseUrl(URI.create(baseUrl)); }

        public Builder baseUrl(URI baseUrl) {
            if (baseUrl == null || !baseUrl.isAbsolute() || baseUrl.getHost() == null) {
                throw new IllegalArgumentException("Graph base URL must be an absolute URL: " + baseUrl);
            }
            if (EndpointUrls.problem(baseUrl) != null) {
                throw new IllegalArgumentException("Graph base URL must be https (http only to a loopback host): " + baseUrl);
            }
            if (baseUrl.getRawPath() != null && !baseUrl.getRawPath().isEmpty() && !baseUrl.getRawPath().equals("/")
                    || baseUrl.getRawQuery() != null || baseUrl.getRawFragment() != null) {
                throw new IllegalArgumentException("Graph base URL is scheme, host and port only (the sender adds /v1.0/…): " + baseUrl);
            }
            this.baseUrl = baseUrl;
            return this;
        }

        /** Whether {@code sendMail} keeps a copy in the sender's Sent Items; default true. */
        public Builder saveToSentItems(boolean save) { this.saveToSentItems = save; return this; }

        /** A lower per-attachment limit than Graph's {@value GraphMailSender#MAX_ATTACHMENT_SIZE} bytes. */
        public Builder maxAttachmentSize(long bytes) {
            if (bytes < 1 || bytes > MAX_ATTACHMENT_SIZE) {
                throw new IllegalArgumentException("maximum attachment size must be 1.." + MAX_ATTACHMENT_SIZE + " bytes");
            }
            this.maxAttachmentSize = bytes;
            return this;
        }

        /** Upload-session chunk size: a multiple of 320 KiB, at most 4 MiB; default 3.75 MiB. */
        public Builder uploadChunkSize(int bytes) {
            if (bytes < CHUNK_UNIT || bytes % CHUNK_UNIT != 0 || bytes > MAX_CHUNK_SIZE) {
                throw new IllegalArgumentException("upload chunk size must be a multiple of 327680 bytes (320 KiB) and at most 4 MiB: " + bytes);
            }
            this.chunkSize = bytes;
            return this;
        }

        public Builder connectTimeout(Duration d) { this.connectTimeout = positive(d); return this; }
        /** Time allowed for each request, including an upload chunk; default 120 s. */
        public Builder requestTimeout(Duration d) { this.requestTimeout = positive(d); return this; }
        /** The longest {@code Retry-After} waited out before one repeat; longer ones fail at once. Default 60 s. */
        public Builder maxRetryAfter(Duration d) {
            if (d == null || d.isNegative()) {
                throw new IllegalArgumentException("maxRetryAfter must not be negative");
            }
            this.maxRetryAfter = d;
            return this;
        }
        /** TLS settings (a proxy's CA); default the JDK's. */
        public Builder sslContext(SSLContext context) { this.sslContext = context; return this; }
        /** The clock an HTTP-date {@code Retry-After} is read against. */
        public Builder clock(Clock clock) { this.clock = Objects.requireNonNull(clock); return this; }
        /** How to wait out a {@code Retry-After}; default {@link Thread#sleep}. */
        public Builder sleeper(Sleeper sleeper) { this.sleeper = Objects.requireNonNull(sleeper); return this; }

        public GraphMailSender build() {
            if (tokens == null) {
                throw new IllegalArgumentException("token source is missing");
            }
            return new GraphMailSender(this);
        }

        private static Duration positive(Duration d) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("timeout must be positive");
            }
            return d;
        }
    }
}
