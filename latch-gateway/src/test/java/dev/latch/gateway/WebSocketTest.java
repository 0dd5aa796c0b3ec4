package dev.latch.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** WebSocket upgrades pass through protect and passthrough routes, with the route's checks first. */
class WebSocketTest {

    static Server upstream;
    static FakeIssuer issuer;
    static TestGateway gateway;

    /** The upstream echoes each text message, prefixed with the identity header and sub-protocol it saw. */
    public static final class Echo implements Session.Listener.AutoDemanding {
        private final String seen;
        private Session session;

        Echo(String seen) {
            this.seen = seen;
        }

        @Override
        public void onWebSocketOpen(Session session) {
            this.session = session;
        }

        @Override
        public void onWebSocketText(String message) {
            session.sendText(seen + "|" + message, Callback.NOOP);
        }
    }

    @BeforeAll
    static void start() throws Exception {
        upstream = new Server();
        ServerConnector connector = new ServerConnector(upstream);
        connector.setHost("127.0.0.1");
        upstream.addConnector(connector);
        upstream.setHandler(WebSocketUpgradeHandler.from(upstream, container -> container.addMapping("/*", (rq, rs, cb) -> {
            if (rq.hasSubProtocol("chat.v1")) rs.setAcceptedSubProtocol("chat.v1");
            return new Echo(rq.getHeaders().get("X-Forwarded-User") + "|" + rq.getHeaders().get("Authorization") + "|" + rq.getHttpURI().getPath());
        })));
        upstream.start();
        issuer = FakeIssuer.start();
        String ws = "http://127.0.0.1:" + connector.getLocalPort();
        gateway = TestGateway.start("""
                issuers:
                  - id: test
                    issuer: %s
                    audience: %s
                routes:
                  - path: /live/
                    upstream: %s
                    mode: protect
                    issuer: test
                    scopes: [live]
                  - path: /open/
                    upstream: %s
                    mode: passthrough
                """.formatted(issuer.issuer(), FakeIssuer.AUDIENCE, ws, ws));
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        issuer.close();
        upstream.stop();
    }

    private static WebSocket connect(String path, LinkedBlockingQueue<String> received, String... headers) throws Exception {
        WebSocket.Builder b = HttpClient.newHttpClient().newWebSocketBuilder().subprotocols("chat.v1");
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        StringBuilder parts = new StringBuilder();
        return b.buildAsync(URI.create(gateway.url(path).replace("http:", "ws:")), new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                parts.append(data);
                if (last) {
                    received.add(parts.toString());
                    parts.setLength(0);
                }
                webSocket.request(1);
                return CompletableFuture.completedFuture(null);
            }
        }).exceptionally(e -> {
            if (e.getCause() instanceof java.net.http.WebSocketHandshakeException h) {
                System.out.println("handshake " + h.getResponse().statusCode() + " " + h.getResponse().body() + " " + h.getResponse().headers());
            }
            throw new java.util.concurrent.CompletionException(e.getCause());
        }).get(10, TimeUnit.SECONDS);
    }

    @Test
    void protectedWebSocketWithTokenThenMessagesRelayedWithIdentityAndNoToken() throws Exception {
        LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
        WebSocket socket = connect("/live/feed", received, "Authorization", "Bearer " + issuer.token("carol", "live", List.of()),
                "X-Forwarded-User", "mallory");
        assertThat(socket.getSubprotocol()).isEqualTo("chat.v1");
        socket.sendText("hello", true).get(5, TimeUnit.SECONDS);
        socket.sendText("x".repeat(50_000), true).get(5, TimeUnit.SECONDS);
        assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("carol|null|/live/feed|hello");
        String big = received.poll(10, TimeUnit.SECONDS);
        assertThat(big).as("a 50 kB message arrives whole").isNotNull().hasSize("carol|null|/live/feed|".length() + 50_000)
                .startsWith("carol|null|/live/feed|xxx");
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
    }

    @Test
    void protectedWebSocketWithoutTokenThenRefusedBeforeUpgrade() {
        assertThat(handshakeStatus(() -> connect("/live/feed", new LinkedBlockingQueue<>()))).isEqualTo(401);
        assertThat(handshakeStatus(() -> connect("/live/feed", new LinkedBlockingQueue<>(),
                "Authorization", "Bearer " + issuer.token("carol", "other", List.of())))).isEqualTo(403);
    }

    private static int handshakeStatus(org.assertj.core.api.ThrowableAssert.ThrowingCallable connecting) {
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(connecting);
        assertThat(thrown).isInstanceOf(java.util.concurrent.ExecutionException.class);
        assertThat(thrown.getCause()).isInstanceOf(java.net.http.WebSocketHandshakeException.class);
        return ((java.net.http.WebSocketHandshakeException) thrown.getCause()).getResponse().statusCode();
    }

    @Test
    void passthroughWebSocketRelayed() throws Exception {
        LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
        WebSocket socket = connect("/open/x", received);
        socket.sendText("ping", true).get(5, TimeUnit.SECONDS);
        assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("null|null|/open/x|ping");
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
    }
}
