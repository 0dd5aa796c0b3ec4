package dev.latch.gateway.smart;

import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;

/**
 * The request as it goes upstream after a smart route's decision: the body that was read to decide on
 * (sent again exactly as it came) and the query with the confining parameters added.
 */
final class ReplayedRequest extends Request.Wrapper {

    private final byte[] body;
    private final HttpURI uri;
    private boolean read;

    /**
     * @param body  the body read from the caller, or null when it was not read (then it streams as usual)
     * @param query the query to send (null: none)
     */
    ReplayedRequest(Request request, byte[] body, String query) {
        super(request);
        this.body = body;
        HttpURI original = request.getHttpURI();
        this.uri = java.util.Objects.equals(query, original.getQuery()) ? original : HttpURI.build(original).query(query).asImmutable();
    }

    @Override
    public HttpURI getHttpURI() {
        return uri;
    }

    @Override
    public long getLength() {
        return body == null ? super.getLength() : body.length;
    }

    @Override
    public Content.Chunk read() {
        if (body == null) return super.read();
        if (read) return Content.Chunk.EOF;
        read = true;
        return Content.Chunk.from(ByteBuffer.wrap(body), true);
    }

    @Override
    public void demand(Runnable demandCallback) {
        if (body == null) {
            super.demand(demandCallback);
        } else {
            demandCallback.run();
        }
    }
}
