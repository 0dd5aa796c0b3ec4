package dev.latch.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One raw HTTP/1.1 connection, for sending what no HTTP client library would (broken request
 * lines, lying lengths, chunked garbage) and seeing exactly what the server does with the
 * connection afterwards: answers with or without {@code Connection: close}, closes, or resets.
 */
public final class RawHttpConnection implements AutoCloseable {

    /** What came back for one request. {@code status} is -1 when the connection ended before a status line. */
    public record Answer(int status, List<String> headers, byte[] body, boolean close, String failure) {

        /** The connection ended (closed or reset) without an answer, or the read timed out. */
        public boolean lost() {
            return status < 0;
        }

        public String header(String name) {
            String prefix = name.toLowerCase(Locale.ROOT) + ":";
            for (String h : headers) {
                if (h.toLowerCase(Locale.ROOT).startsWith(prefix)) return h.substring(prefix.length()).strip();
            }
            return null;
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return lost() ? "no answer (" + failure + ")" : status + " " + headers + " " + bodyText();
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RawHttpConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new java.io.BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Connects to {@code 127.0.0.1:port}; every read gives up after 20 s (a hang is an answer too). */
    public static RawHttpConnection open(int port) {
        try {
            Socket socket = new Socket("127.0.0.1", port);
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(20_000);
            return new RawHttpConnection(socket);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes {@code parts} one after the other, each flushed on its own (so a body can trail its
     * headers in a later segment); false when the server had already closed or reset the connection.
     */
    public boolean send(byte[]... parts) {
        try {
            for (byte[] part : parts) {
                out.write(part);
                out.flush();
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public boolean send(String request) {
        return send(request.getBytes(StandardCharsets.ISO_8859_1));
    }

    /**
     * Reads one response, past any interim ones ({@code 100 Continue}); {@code head} when it answers a
     * HEAD request (no body follows).
     */
    public Answer read(boolean head) {
        Answer answer;
        do {
            answer = readOne(head);
        } while (answer.status() >= 100 && answer.status() < 200 && answer.status() != 101);
        return answer;
    }

    private Answer readOne(boolean head) {
        try {
            String statusLine = line();
            if (statusLine == null) return new Answer(-1, List.of(), new byte[0], true, "closed");
            String[] parts = statusLine.split(" ", 3);
            int status = Integer.parseInt(parts[1]);
            List<String> headers = new ArrayList<>();
            boolean close = parts[0].equals("HTTP/1.0");
            long length = -1;
            boolean chunked = false;
            for (String line; (line = line()) != null && !line.isEmpty(); ) {
                headers.add(line);
                String lower = line.toLowerCase(Locale.ROOT);
                if (lower.startsWith("connection:")) {
                    close = lower.contains("close") || (parts[0].equals("HTTP/1.0") && !lower.contains("keep-alive"));
                }
                if (lower.startsWith("content-length:")) length = Long.parseLong(lower.substring(15).strip());
                if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) chunked = true;
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            if (head || status == 204 || status == 304 || status / 100 == 1) {
                // no body
            } else if (chunked) {
                for (String size; (size = line()) != null; ) {
                    int n = Integer.parseInt(size.split(";")[0].strip(), 16);
                    if (n == 0) {
                        while ((size = line()) != null && !size.isEmpty()) { /* trailers */ }
                        break;
                    }
                    body.write(in.readNBytes(n));
                    line();
                }
            } else if (length >= 0) {
                body.write(in.readNBytes((int) length));
            } else {
                body.write(in.readAllBytes());
                close = true;
            }
            return new Answer(status, headers, body.toByteArray(), close, null);
        } catch (SocketTimeoutException e) {
            return new Answer(-1, List.of(), new byte[0], true, "no answer within the read timeout");
        } catch (SocketException e) {
            return new Answer(-1, List.of(), new byte[0], true, "reset: " + e.getMessage());
        } catch (IOException | RuntimeException e) {
            return new Answer(-1, List.of(), new byte[0], true, e.toString());
        }
    }

    public Answer read() {
        return read(false);
    }

    /** A line up to CRLF (or LF), ISO-8859-1; null at the end of the stream. */
    private String line() throws IOException {
        StringBuilder s = new StringBuilder();
        for (int b; (b = in.read()) >= 0; ) {
            if (b == '\n') {
                int end = s.length() > 0 && s.charAt(s.length() - 1) == '\r' ? s.length() - 1 : s.length();
                return s.substring(0, end);
            }
            s.append((char) b);
        }
        return s.isEmpty() ? null : s.toString();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing a test socket
        }
    }
}
