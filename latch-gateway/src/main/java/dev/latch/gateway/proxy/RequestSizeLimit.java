package dev.latch.gateway.proxy;

import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;

/**
 * Caps a streamed request body: a body declared larger than the limit is refused before anything is
 * sent upstream (by the route's handler); one that grows past it while streaming (chunked) fails the
 * upstream request, which is then answered {@code 413}.
 */
public final class RequestSizeLimit extends Request.Wrapper {

    private final long limit;
    private long read;

    public RequestSizeLimit(Request request, long limit) {
        super(request);
        this.limit = limit;
    }

    @Override
    public Content.Chunk read() {
        Content.Chunk chunk = super.read();
        if (chunk != null && !Content.Chunk.isFailure(chunk)) {
            read += chunk.remaining();
            if (read > limit) {
                chunk.release();
                return Content.Chunk.from(new TooLarge(limit), true);
            }
        }
        return chunk;
    }

    /** The size failure in {@code failure}'s causes, or null. */
    static Throwable tooLarge(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof TooLarge) return t;
        }
        return null;
    }

    /** The body grew past the limit. */
    static final class TooLarge extends HttpException.RuntimeException {
        TooLarge(long limit) {
            super(413, "request body larger than " + limit + " bytes");
        }
    }
}
