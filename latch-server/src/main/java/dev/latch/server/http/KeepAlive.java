package dev.latch.server.http;

import dev.latch.core.error.OAuthError;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Every answer either leaves its keep-alive connection usable or says {@code Connection: close}
 * before it is committed (RFC 9112 §9.6), so a client never sends its next request into a
 * connection the server is closing. Two ways an answer could break that, closed here:
 * <ul>
 *   <li>an answer sent before the request body was read (an unrouted method, a refusal before the
 *       body was needed, a body past the limit): Jetty must drop the rest of the body to reuse the
 *       connection, and closes it when the rest has not arrived yet — after the answer went out
 *       without saying so. {@link #handler()} reads what has arrived just before the answer is
 *       committed; when the body is still incomplete Jetty knows the connection ends and writes
 *       {@code Connection: close} in that answer;</li>
 *   <li>errors Jetty answers itself (a request it cannot parse: bad request line, URI, header,
 *       chunk; headers too large): Jetty closes the connection afterwards. {@link #jettyErrors()}
 *       answers them as RFC 6749 JSON through {@link ErrorRenderer} with {@code Connection: close}.</li>
 * </ul>
 */
public final class KeepAlive {

    private KeepAlive() {}

    /** Installs both on a Javalin listener's Jetty server. */
    public static void install(io.javalin.config.JettyConfig jetty) {
        jetty.modifyServer(server -> {
            server.setHandler(handler());
            server.setErrorHandler(jettyErrors());
        });
    }

    /** Wraps the whole server (see the class comment); Javalin puts its servlet context inside. */
    public static Handler.Wrapper handler() {
        return new Handler.Wrapper() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                return super.handle(request, new BodyReadBeforeCommit(request, response), callback);
            }
        };
    }

    /** The server's error handler: Jetty's own refusals as JSON, each saying the connection closes. */
    public static Request.Handler jettyErrors() {
        return (request, response, callback) -> {
            int status = request.getAttribute(ErrorHandler.ERROR_STATUS) instanceof Integer i ? i : response.getStatus();
            if (status < 400) status = 500;
            String reason = HttpStatus.getMessage(status);
            dev.latch.server.http.Response rendered;
            if (status >= 500 && status != HttpStatus.HTTP_VERSION_NOT_SUPPORTED_505) {
                Throwable cause = request.getAttribute(ErrorHandler.ERROR_EXCEPTION) instanceof Throwable t ? t
                        : new IllegalStateException(status + " " + reason + " from Jetty");
                rendered = ErrorRenderer.unexpected(cause);
            } else {
                rendered = ErrorRenderer.json(OAuthError.of("invalid_request", status, "the request cannot be served: " + reason));
            }
            response.setStatus(rendered.status());
            rendered.headers().forEach((name, value) -> response.getHeaders().put(name, value));
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
            response.write(true, ByteBuffer.wrap(rendered.body()), callback);
            return true;
        };
    }

    /**
     * A response that, at its first write (the commit), first consumes the request content that has
     * arrived; when the content is then still incomplete, Jetty marks the connection as ending, which
     * it writes as {@code Connection: close} into the headers being committed.
     */
    private static final class BodyReadBeforeCommit extends Response.Wrapper {

        BodyReadBeforeCommit(Request request, Response wrapped) {
            super(request, wrapped);
        }

        @Override
        public void write(boolean last, ByteBuffer content, Callback callback) {
            if (!isCommitted()) {
                getRequest().consumeAvailable();
            }
            super.write(last, content, callback);
        }
    }
}
