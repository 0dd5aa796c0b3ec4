package dev.latch.client.mail;

import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.ParseException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A file attached to a message: its name as the recipient sees it, its media type, and its bytes,
 * either in memory or read from a file when the message is sent (so a large file is streamed, not
 * held in memory).
 */
public final class MailAttachment {

    /** The media type used when none is given. */
    public static final String DEFAULT_CONTENT_TYPE = "application/octet-stream";

    private final String name;
    private final String contentType;
    private final Path file;
    private final byte[] bytes;

    private MailAttachment(String name, String contentType, Path file, byte[] bytes) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("attachment name is empty");
        }
        if (name.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new IllegalArgumentException("attachment name contains control characters");
        }
        this.name = name;
        this.contentType = checkContentType(contentType == null ? DEFAULT_CONTENT_TYPE : contentType);
        this.file = file;
        this.bytes = bytes;
    }

    /** The file at {@code file}, named as the file is, read when the message is sent. */
    public static MailAttachment file(Path file, String contentType) {
        if (file == null || file.getFileName() == null) {
            throw new IllegalArgumentException("attachment file is missing");
        }
        return new MailAttachment(file.getFileName().toString(), contentType, file, null);
    }

    /** The file at {@code file}, shown to the recipient as {@code name}. */
    public static MailAttachment file(Path file, String name, String contentType) {
        if (file == null) {
            throw new IllegalArgumentException("attachment file is missing");
        }
        return new MailAttachment(name, contentType, file, null);
    }

    /** In-memory content (copied). */
    public static MailAttachment bytes(String name, String contentType, byte[] content) {
        if (content == null) {
            throw new IllegalArgumentException("attachment content is missing");
        }
        return new MailAttachment(name, contentType, null, content.clone());
    }

    public String name() {
        return name;
    }

    public String contentType() {
        return contentType;
    }

    /** The file the content is read from, when it is a file. */
    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    /**
     * The size in bytes.
     *
     * @throws MailAttachmentException when the file is missing or unreadable
     */
    public long size() {
        if (bytes != null) {
            return bytes.length;
        }
        try {
            if (!Files.isRegularFile(file)) {
                throw new MailAttachmentException("attachment " + name + ": " + file + " is not a readable file", null);
            }
            return Files.size(file);
        } catch (IOException e) {
            throw unreadable(e);
        }
    }

    /** A stream over the content; the caller closes it. */
    public InputStream open() {
        if (bytes != null) {
            return new ByteArrayInputStream(bytes);
        }
        try {
            return Files.newInputStream(file);
        } catch (IOException e) {
            throw unreadable(e);
        }
    }

    /** The whole content. */
    public byte[] readAllBytes() {
        if (bytes != null) {
            return bytes.clone();
        }
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw unreadable(e);
        }
    }

    /** {@code length} bytes from {@code offset} (an upload-session chunk), without reading the rest of a file. */
    byte[] readRange(long offset, int length) {
        if (bytes != null) {
            return java.util.Arrays.copyOfRange(bytes, Math.toIntExact(offset), Math.toIntExact(offset + length));
        }
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(file)) {
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(length);
            long position = offset;
            while (buffer.hasRemaining()) {
                int n = channel.read(buffer, position);
                if (n < 0) {
                    throw new MailAttachmentException("attachment " + name + ": " + file + " became shorter while it was sent", null);
                }
                position += n;
            }
            return buffer.array();
        } catch (IOException e) {
            throw unreadable(e);
        }
    }

    MailAttachmentException unreadable(IOException e) {
        return new MailAttachmentException("attachment " + name + ": cannot read " + file + " ("
                + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")", e);
    }

    private static String checkContentType(String contentType) {
        if (contentType.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new IllegalArgumentException("attachment content type contains control characters");
        }
        try {
            ContentType parsed = new ContentType(contentType);
            if (parsed.getPrimaryType() == null || parsed.getSubType() == null) {
                throw new IllegalArgumentException("attachment content type '" + contentType + "' is not type/subtype");
            }
            return contentType;
        } catch (ParseException e) {
            throw new IllegalArgumentException("attachment content type '" + contentType + "' is not a media type (type/subtype)", e);
        }
    }

    @Override
    public String toString() {
        return "MailAttachment[" + name + ", " + contentType + (file != null ? ", " + file : ", " + bytes.length + " bytes") + "]";
    }
}
