package dev.latch.server;

import dev.latch.core.crypto.CryptoProviders;
import dev.latch.server.client.Client;
import dev.latch.server.client.ClientRegistry;
import dev.latch.server.config.ConfigLoader;
import dev.latch.server.config.ServerConfig;
import dev.latch.server.storage.Sql;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A real Latch server on a free loopback port over a temporary data directory (embedded H2 unless
 * a JDBC URL is given), for black-box tests, with cheap Argon2id parameters (64 KiB, 1 pass) unless
 * the settings say otherwise. Close it to stop the server and delete the data.
 */
public final class TestServer implements AutoCloseable {

    public static final HttpClient HTTP = HttpClient.newHttpClient();

    private final Path data;
    private final LatchServer server;
    private final boolean ownData;

    private TestServer(Path data, LatchServer server, boolean ownData) {
        this.data = data;
        this.server = server;
        this.ownData = ownData;
    }

    /** A server with default settings. */
    public static TestServer start() {
        return start(Map.of());
    }

    /**
     * @param settings configuration by dotted name ({@code registration.initial-access-token}, {@code database.url}…)
     */
    public static TestServer start(Map<String, String> settings) {
        return start(settings, Clock.systemUTC());
    }

    /** A server whose notion of time is {@code clock} (a {@link TestClock} lets tests move it). */
    public static TestServer start(Map<String, String> settings, Clock clock) {
        return start(settings, clock, (java.util.function.Consumer<LatchServer>) s -> {});
    }

    /** A server whose people are those of {@code users} (for instance an {@link InMemoryUserStore}); null for none. */
    public static TestServer start(Map<String, String> settings, Clock clock, dev.latch.server.user.UserStore users) {
        try {
            Path data = settings.containsKey("data") ? Path.of(settings.get("data")) : Files.createTempDirectory("latch-test");
            return start(data, settings, !settings.containsKey("data"), clock, s -> {
                if (users != null) {
                    s.users(users, null); // tokens and userinfo know these people; nobody signs in without a hasher
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A server configured by {@code beforeStart} (e.g. {@code s -> s.users(store, hasher)}) before it listens. */
    public static TestServer start(Map<String, String> settings, Clock clock, java.util.function.Consumer<LatchServer> beforeStart) {
        try {
            Path data = settings.containsKey("data") ? Path.of(settings.get("data")) : Files.createTempDirectory("latch-test");
            return start(data, settings, !settings.containsKey("data"), clock, beforeStart);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static TestServer start(Path data, Map<String, String> settings, boolean ownData) {
        return start(data, settings, ownData, Clock.systemUTC());
    }

    static TestServer start(Path data, Map<String, String> settings, boolean ownData, Clock clock) {
        return start(data, settings, ownData, clock, s -> {});
    }

    static TestServer start(Path data, Map<String, String> settings, boolean ownData, Clock clock,
                            java.util.function.Consumer<LatchServer> beforeStart) {
        CryptoProviders.select(CryptoProviders.Mode.AUTO);
        for (int attempt = 1; ; attempt++) {
            Map<String, String> all = new HashMap<>();
            all.put("port", Integer.toString(LatchServer.freePort()));
            all.put("management.port", Integer.toString(LatchServer.freePort()));
            all.put("data", data.toString());
            // tests hash passwords cheaply; Argon2idHasherTest checks the production defaults once
            all.put("passwords.argon2id.memory-kib", "64");
            all.put("passwords.argon2id.iterations", "1");
            all.putAll(settings);
            ServerConfig config = new ConfigLoader(name -> null, dev.latch.core.secret.SecretReference.system()).load(null, all);
            LatchServer server = LatchServer.create(LatchInstance.open(config, clock));
            beforeStart.accept(server);
            try {
                server.start();
                return new TestServer(data, server, ownData);
            } catch (RuntimeException e) {
                server.close();
                // a free port picked a moment ago can be taken by another process before we bind it: pick again
                if (attempt >= 3 || !causedByBind(e) || settings.containsKey("port")) {
                    throw e;
                }
            }
        }
    }

    private static boolean causedByBind(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.BindException) return true;
        }
        return false;
    }

    public String issuer() {
        return server.issuer();
    }

    public String url(String path) {
        return server.issuer() + path;
    }

    public String managementUrl(String path) {
        return "http://127.0.0.1:" + server.managementPort() + path;
    }

    public Path data() {
        return data;
    }

    public LatchServer server() {
        return server;
    }

    public LatchInstance instance() {
        return server.instance();
    }

    /** The server's database, for checking what is (and is not) stored. */
    public Sql sql() {
        return server.instance().database().sql();
    }

    public ClientRegistry clients() {
        return server.instance().clients();
    }

    /** Registers a client as an operator would; returns it with its plaintext secret (null when none). */
    public ClientRegistry.Registered register(Client client) {
        ClientRegistry.Registered registered = clients().create(client, null, true, null);
        SuiteSecrets.record(registered.clientSecret());
        return registered;
    }

    /** A client_secret_basic client allowed {@code scope}; returns its registration (with secret). */
    public ClientRegistry.Registered basicClient(String clientId, String scope) {
        return register(new Client.Builder().clientId(clientId).scope(scope).build());
    }

    /** POSTs a form body to {@code path} with optional extra headers (name, value pairs). */
    public HttpResponse<String> postForm(String path, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(path)))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return send(b.build());
    }

    public HttpResponse<String> get(String url, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).GET();
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return send(b.build());
    }

    /** Sends {@code request}; the credentials in it and in the answer are recorded as {@link SuiteSecrets}. */
    public static HttpResponse<String> send(HttpRequest request) {
        SuiteSecrets.fromRequest(request);
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            SuiteSecrets.fromResponse(response);
            return response;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.close();
        if (ownData) {
            try (Stream<Path> files = Files.walk(data)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // temp files; the OS cleans up
            }
        }
    }
}
