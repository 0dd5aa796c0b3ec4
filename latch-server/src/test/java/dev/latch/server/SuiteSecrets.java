package dev.latch.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Base64;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Every secret the test suite hands to or gets from a server through the fixtures ({@link TestServer}'s
 * requests and registrations, the sign-in fixtures' passwords): client secrets, passwords, access,
 * refresh, ID and registration tokens, authorization codes, assertions, launch values and cookies. Each
 * is appended to {@link #FILE}, one a line, so that {@code AuditSecrecyIT} can look for all of them in
 * the audit log the whole suite wrote ({@code target/audit/audit.jsonl}, see {@code logback-test.xml}).
 *
 * <p>Every module's tests write to the same two files (the parent pom's {@code latch.test.audit-dir}), and
 * {@link Constants} records the secret constants of every test class, so the check covers the whole suite.
 *
 * <p>Values shorter than {@value #MIN_LENGTH} characters are not recorded: they would match ordinary
 * words, and every real secret here is longer.
 */
public final class SuiteSecrets {

    public static final int MIN_LENGTH = 12;
    /** Where the secrets go; the IT reads it (surefire and failsafe set the property to the module's target/). */
    public static final Path FILE = Path.of(System.getProperty("latch.test.secrets", "target/audit/secrets.txt"));

    /** Form parameters and JSON members whose value is a credential. */
    private static final Set<String> SECRET_NAMES = Set.of("client_secret", "password", "code", "refresh_token", "access_token",
            "id_token", "token", "client_assertion", "assertion", "subject_token", "actor_token", "code_verifier",
            "registration_access_token", "launch", "csrf", "id_token_hint");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> RECORDED = ConcurrentHashMap.newKeySet();

    private SuiteSecrets() {}

    /**
     * Records the {@code static final String} constants named {@code …SECRET}, {@code …PASSWORD} or
     * {@code …TOKEN} of each test class (its superclasses and enclosing classes too) before its tests run:
     * the client secrets, passwords and tokens tests of every module hand to servers and tools. Registered
     * for every module through {@code META-INF/services/org.junit.jupiter.api.extension.Extension} in this
     * test-jar (the parent pom turns JUnit's extension autodetection on).
     */
    public static final class Constants implements BeforeAllCallback {
        @Override
        public void beforeAll(ExtensionContext context) {
            for (Class<?> c = context.getRequiredTestClass(); c != null; c = c.getEnclosingClass()) {
                for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
                    recordConstants(k);
                }
            }
        }

        private static void recordConstants(Class<?> type) {
            for (Field field : type.getDeclaredFields()) {
                int modifiers = field.getModifiers();
                if (Modifier.isStatic(modifiers) && Modifier.isFinal(modifiers) && field.getType() == String.class
                        && field.getName().matches(".*(SECRET|PASSWORD|TOKEN)")) {
                    try {
                        field.setAccessible(true);
                        record((String) field.get(null));
                    } catch (ReflectiveOperationException | RuntimeException e) {
                        // a field this module cannot open: its value is not recorded
                    }
                }
            }
        }
    }

    /** The JVM options a child JVM started by a test needs to write its audit lines where this suite's go. */
    public static java.util.List<String> childJvmOptions() {
        String log = System.getProperty("latch.test.audit-log");
        return log == null ? java.util.List.of() : java.util.List.of("-Dlatch.test.audit-log=" + log);
    }

    /** Records one secret. */
    public static void record(String value) {
        if (value == null || value.length() < MIN_LENGTH || value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0
                || !RECORDED.add(value)) {
            return;
        }
        synchronized (SuiteSecrets.class) {
            try {
                Files.createDirectories(FILE.toAbsolutePath().getParent());
                Files.writeString(FILE, value + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot record a secret in " + FILE, e);
            }
        }
    }

    /** The credentials a request carries: Authorization (Basic password, Bearer token), cookies, secret form fields and query parameters. */
    public static void fromRequest(HttpRequest request) {
        request.headers().firstValue("authorization").ifPresent(SuiteSecrets::fromAuthorization);
        for (String cookie : request.headers().allValues("cookie")) {
            for (String pair : cookie.split(";")) {
                int eq = pair.indexOf('=');
                if (eq > 0) record(pair.substring(eq + 1).strip());
            }
        }
        fromParameters(request.uri().getRawQuery());
        String type = request.headers().firstValue("content-type").orElse("");
        // only publishers of a known length are read: those of a stream could not be read again for the request itself
        String body = request.bodyPublisher().filter(p -> p.contentLength() > 0 && p.contentLength() < 1 << 20)
                .map(SuiteSecrets::read).orElse("");
        if (type.startsWith("application/x-www-form-urlencoded")) {
            fromParameters(body);
        } else if (type.startsWith("application/json")) {
            fromJson(body);
        }
    }

    /** The credentials in a response: secret JSON members, a code or token in the Location header, cookies set. */
    public static void fromResponse(HttpResponse<String> response) {
        response.headers().firstValue("location").ifPresent(location -> {
            URI uri = URI.create(location);
            fromParameters(uri.getRawQuery());
            fromParameters(uri.getRawFragment());
        });
        for (String set : response.headers().allValues("set-cookie")) {
            String pair = set.split(";", 2)[0];
            int eq = pair.indexOf('=');
            if (eq > 0) record(pair.substring(eq + 1));
        }
        if (response.body() != null && response.headers().firstValue("content-type").orElse("").startsWith("application/json")) {
            fromJson(response.body());
        }
        if (response.body() != null && response.headers().firstValue("content-type").orElse("").startsWith("text/html")) {
            // form_post responses and pages carry codes, tokens and CSRF values in hidden inputs
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("name=\"([a-z_]+)\" value=\"([^\"]*)\"").matcher(response.body());
            while (m.find()) {
                if (SECRET_NAMES.contains(m.group(1))) record(m.group(2));
            }
        }
    }

    private static void fromAuthorization(String value) {
        String[] parts = value.strip().split(" ", 2);
        if (parts.length < 2) return;
        record(parts[1]);
        if (parts[0].equalsIgnoreCase("basic")) {
            try {
                String decoded = new String(Base64.getDecoder().decode(parts[1]), StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                if (colon >= 0) {
                    String secret = decoded.substring(colon + 1);
                    record(secret);
                    record(URLDecoder.decode(secret, StandardCharsets.UTF_8));
                }
            } catch (IllegalArgumentException ignored) {
                // a test sending a malformed header on purpose
            }
        }
    }

    private static void fromParameters(String raw) {
        if (raw == null || raw.isEmpty()) return;
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) continue;
            try {
                String name = URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8);
                if (SECRET_NAMES.contains(name)) {
                    record(pair.substring(eq + 1));
                    record(URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            } catch (IllegalArgumentException ignored) {
                // hostile input a test sends on purpose
            }
        }
    }

    private static void fromJson(String body) {
        try {
            fromJson(JSON.readTree(body));
        } catch (IOException ignored) {
            // not JSON after all
        }
    }

    private static void fromJson(JsonNode node) {
        if (node == null) return;
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> {
                if (SECRET_NAMES.contains(e.getKey()) && e.getValue().isTextual()) record(e.getValue().asText());
                else fromJson(e.getValue());
            });
        } else if (node.isArray()) {
            node.forEach(SuiteSecrets::fromJson);
        }
    }

    /** The body of a request, read from its publisher (the JDK's publishers can be read more than once). */
    private static String read(HttpRequest.BodyPublisher publisher) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
        publisher.subscribe(new Flow.Subscriber<>() {
            @Override public void onSubscribe(Flow.Subscription s) { s.request(Long.MAX_VALUE); }
            @Override public void onNext(ByteBuffer item) {
                byte[] b = new byte[item.remaining()];
                item.get(b);
                out.writeBytes(b);
            }
            @Override public void onError(Throwable t) { done.complete(null); }
            @Override public void onComplete() { done.complete(null); }
        });
        try {
            done.get(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            return "";
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
