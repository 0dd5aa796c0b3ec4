package dev.latch.gateway.websocket;

import dev.latch.gateway.http.GatewayResponses;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.eclipse.jetty.websocket.server.ServerWebSocketContainer;

/**
 * WebSocket upgrades (RFC 6455) through the gateway: the upstream connection is opened first (with the
 * caller's headers less hop-by-hop and handshake ones, plus what the gateway asserts), then the caller's
 * upgrade is accepted with the sub-protocol the upstream chose, and frames are relayed both ways with
 * back-pressure (the next frame is read only once the previous one is written on the other side).
 * A route's checks run before any of this, exactly as for plain requests.
 */
public final class WebSocketRelay {

    private static final Set<String> NOT_FORWARDED = Set.of("host", "connection", "upgrade", "sec-websocket-key",
            "sec-websocket-version", "sec-websocket-extensions", "sec-websocket-protocol", "sec-websocket-accept",
            "content-length", "transfer-encoding", "keep-alive", "te", "trailer", "proxy-authorization", "proxy-connection");

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(WebSocketRelay.class);

    private final WebSocketClient client;
    private final ServerWebSocketContainer container;

    public WebSocketRelay(Server server) {
        this.client = new WebSocketClient();
        server.addBean(client, true);
        this.container = ServerWebSocketContainer.ensure(server);
    }

    /** An HTTP/1.1 WebSocket upgrade request. */
    public static boolean isUpgrade(Request request) {
        String upgrade = request.getHeaders().get(HttpHeader.UPGRADE);
        return upgrade != null && upgrade.toLowerCase(Locale.ROOT).contains("websocket");
    }

    /**
     * @param upstream      the upstream URL as for a plain request (http/https; turned into ws/wss)
     * @param remove        header names (lower case) not to pass: identity headers, Authorization unless kept
     * @param add           headers the gateway asserts
     * @param connectMillis how long the upstream handshake may take
     */
    public void relay(Request request, Response response, Callback callback, URI upstream, Set<String> remove, HttpFields add,
                      long connectMillis) {
        URI ws = URI.create(upstream.toString().replaceFirst("^http", "ws"));
        boolean upgraded = container.upgrade((upgradeRequest, upgradeResponse, upgradeCallback) -> {
            ClientUpgradeRequest out = new ClientUpgradeRequest();
            for (HttpField field : request.getHeaders()) {
                String name = field.getLowerCaseName();
                if (!NOT_FORWARDED.contains(name) && !remove.contains(name)) {
                    out.setHeader(field.getName(), merged(out.getHeaders(field.getName()), field.getValue()));
                }
            }
            if (add != null) {
                for (HttpField field : add) out.setHeader(field.getName(), field.getValue());
            }
            out.setSubProtocols(upgradeRequest.getSubProtocols());
            Pipe fromUpstream = new Pipe(null);
            Session upstreamSession;
            try {
                upstreamSession = client.connect(fromUpstream, ws, out).get(connectMillis, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                Throwable cause = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
                LOG.warn("WebSocket to {} failed: {}", ws, cause.toString());
                GatewayResponses.error(upgradeResponse, upgradeCallback, 502, "upstream_unavailable",
                        "the upstream service did not accept the WebSocket connection");
                return null;
            }
            String protocol = upstreamSession.getUpgradeResponse().getAcceptedSubProtocol();
            if (protocol != null) upgradeResponse.setAcceptedSubProtocol(protocol);
            Pipe toUpstream = new Pipe(fromUpstream);
            toUpstream.peer = upstreamSession;
            return toUpstream;
        }, request, response, callback);
        if (!upgraded) {
            GatewayResponses.error(response, callback, 400, "invalid_request", "not a valid WebSocket upgrade request");
        }
    }

    private static List<String> merged(List<String> existing, String value) {
        if (existing == null || existing.isEmpty()) return List.of(value);
        java.util.ArrayList<String> all = new java.util.ArrayList<>(existing);
        all.add(value);
        return all;
    }

    /**
     * One direction: frames read from {@code self} are written to {@code peer}, and the next frame is
     * demanded only once that write completed. The caller's pipe is made with the upstream's pipe as
     * {@code partner}; when the caller's side opens, both know their peer and both start reading.
     */
    public static final class Pipe implements Session.Listener {
        private final Pipe partner;
        volatile Session self;
        volatile Session peer;

        Pipe(Pipe partner) {
            this.partner = partner;
        }

        @Override
        public void onWebSocketOpen(Session session) {
            self = session;
            if (partner != null) {
                partner.peer = session;
                session.demand();
                partner.self.demand();
            }
        }

        private org.eclipse.jetty.websocket.api.Callback next(org.eclipse.jetty.websocket.api.Callback done) {
            return org.eclipse.jetty.websocket.api.Callback.from(() -> {
                if (done != null) done.succeed();
                self.demand();
            }, failure -> {
                if (done != null) done.fail(failure);
                self.close(StatusCode.SERVER_ERROR, "relay failed", org.eclipse.jetty.websocket.api.Callback.NOOP);
            });
        }

        @Override
        public void onWebSocketPartialText(String payload, boolean fin) {
            peer.sendPartialText(payload, fin, next(null));
        }

        @Override
        public void onWebSocketPartialBinary(ByteBuffer payload, boolean fin, org.eclipse.jetty.websocket.api.Callback callback) {
            peer.sendPartialBinary(payload, fin, next(callback));
        }

        @Override
        public void onWebSocketPing(ByteBuffer payload) {
            self.demand(); // answered by Jetty with a pong on this hop
        }

        @Override
        public void onWebSocketPong(ByteBuffer payload) {
            self.demand();
        }

        @Override
        public void onWebSocketClose(int status, String reason) {
            Session p = peer;
            if (p != null && p.isOpen()) {
                int code = status == StatusCode.NO_CODE || status == StatusCode.NO_CLOSE || status == StatusCode.ABNORMAL ? StatusCode.NORMAL : status;
                p.close(code, reason, org.eclipse.jetty.websocket.api.Callback.NOOP);
            }
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            Session p = peer;
            if (p != null && p.isOpen()) {
                p.close(StatusCode.SERVER_ERROR, "the other side failed", org.eclipse.jetty.websocket.api.Callback.NOOP);
            }
        }
    }
}
