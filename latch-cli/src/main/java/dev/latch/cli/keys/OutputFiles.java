package dev.latch.cli.keys;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * Files a command writes: private parts are created {@code 0600} (never readable by others, not even
 * for a moment), public parts {@code 0644}; an existing file is refused unless {@code --force}, and
 * every target is checked before the first is written, so a refusal leaves nothing half-done.
 */
final class OutputFiles {

    /** One file to write. */
    record Output(Path path, byte[] content, boolean secret, String what) {}

    private final List<Output> outputs = new ArrayList<>();

    OutputFiles add(Path path, String content, boolean secret, String what) {
        return add(path, content.getBytes(java.nio.charset.StandardCharsets.UTF_8), secret, what);
    }

    OutputFiles add(Path path, byte[] content, boolean secret, String what) {
        outputs.add(new Output(path, content, secret, what));
        return this;
    }

    /** Writes every file, or none when one exists and {@code force} is off; returns what was written. */
    List<Output> write(boolean force) {
        for (Output o : outputs) {
            if (Files.exists(o.path()) && !force) {
                throw new IllegalArgumentException(o.path() + " exists; not overwritten (use --force to replace it)");
            }
            if (Files.isDirectory(o.path())) {
                throw new IllegalArgumentException(o.path() + " is a directory");
            }
            Path parent = o.path().toAbsolutePath().getParent();
            if (parent != null && !Files.isDirectory(parent)) {
                throw new IllegalArgumentException(o.path() + ": directory " + parent + " does not exist");
            }
        }
        for (Output o : outputs) {
            try {
                Files.deleteIfExists(o.path());
                create(o.path(), o.secret());
                Files.write(o.path(), o.content());
            } catch (FileAlreadyExistsException e) {
                throw new IllegalArgumentException(o.path() + " exists; not overwritten (use --force to replace it)");
            } catch (IOException e) {
                throw new IllegalArgumentException(o.path() + ": cannot write (" + e.getMessage() + ")");
            }
        }
        return List.copyOf(outputs);
    }

    private static void create(Path path, boolean secret) throws IOException {
        try {
            Files.createFile(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(secret ? "rw-------" : "rw-r--r--")));
        } catch (UnsupportedOperationException notPosix) {
            Files.createFile(path);
        }
    }
}
