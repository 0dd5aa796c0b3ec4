package dev.latch.cli.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.latch.server.http.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * The file {@code latch backup} writes and {@code latch restore} reads: a zip archive of
 * <ul>
 *   <li>{@value #DATABASE_H2} (the embedded database, as H2's online {@code BACKUP} copied it) or
 *       {@value #DATABASE_POSTGRES} ({@code pg_dump --format=custom});</li>
 *   <li>{@value #MASTER_KEY}, only when the backup was asked to include it;</li>
 *   <li>{@value #MANIFEST}: format, version, when, which database, its schema version, whether the
 *       master key is inside, what the data held, and the SHA-256 of each other entry.</li>
 * </ul>
 * The manifest is written last, so an interrupted backup has none and is refused on restore.
 */
final class BackupArchive {

    static final String FORMAT = "latch-backup";
    static final int VERSION = 1;
    static final String MANIFEST = "latch-backup.json";
    static final String DATABASE_H2 = "database/latch.mv.db";
    static final String DATABASE_POSTGRES = "database/latch.pgdump";
    static final String MASTER_KEY = "master.key";

    /** What a backup says about itself. */
    record Manifest(String database, String schemaVersion, Instant created, String masterKey, Map<String, Long> counts,
                    Map<String, String> sha256) {

        /** The master key is inside the archive. */
        static final String KEY_INCLUDED = "included";
        /** The master key was a file in the data directory and left out on purpose ({@code --without-master-key}). */
        static final String KEY_LEFT_OUT = "not included (was master.key in the data directory)";
        /** The master key came from the configuration ({@code LATCH_MASTER_KEY} / {@code master-key}). */
        static final String KEY_CONFIGURED = "not included (from the configuration: master-key / LATCH_MASTER_KEY)";

        boolean includesMasterKey() {
            return KEY_INCLUDED.equals(masterKey);
        }

        String databaseEntry() {
            return "h2".equals(database) ? DATABASE_H2 : DATABASE_POSTGRES;
        }
    }

    private BackupArchive() {}

    /**
     * Writes the archive to {@code out} through a temporary file beside it, so {@code out} either is a
     * whole backup or is not there; mode 600 (the database holds secret digests and encrypted keys).
     */
    static void write(Path out, String database, String schemaVersion, Instant created, Map<String, Long> counts,
                      Path databaseFile, String masterKeyState, Path masterKeyFile) throws IOException {
        Path dir = out.toAbsolutePath().getParent();
        Path tmp = createPrivate(dir, ".latch-backup-", ".tmp");
        try {
            Map<String, String> sha256 = new LinkedHashMap<>();
            try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(tmp))) {
                String entry = "h2".equals(database) ? DATABASE_H2 : DATABASE_POSTGRES;
                sha256.put(entry, copyInto(zip, entry, databaseFile));
                if (masterKeyFile != null) {
                    sha256.put(MASTER_KEY, copyInto(zip, MASTER_KEY, masterKeyFile));
                }
                ObjectNode m = Json.MAPPER.createObjectNode();
                m.put("format", FORMAT);
                m.put("version", VERSION);
                m.put("created", created.toString());
                m.put("database", database);
                m.put("schema_version", schemaVersion);
                m.put("master_key", masterKeyState);
                ObjectNode c = m.putObject("contents");
                counts.forEach(c::put);
                ObjectNode s = m.putObject("sha256");
                sha256.forEach(s::put);
                zip.putNextEntry(new ZipEntry(MANIFEST));
                zip.write(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(m));
                zip.write('\n');
                zip.closeEntry();
            }
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Reads and checks an archive: it is one of ours, of a version this Latch reads, whole, and every
     * entry matches its checksum.
     *
     * @throws IllegalArgumentException naming the file and what is wrong with it
     */
    static Manifest read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": " + (Files.exists(file) ? "not a file" : "no such file"));
        }
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry entry = zip.getEntry(MANIFEST);
            if (entry == null) {
                throw notABackup(file, "it has no " + MANIFEST + "; an interrupted backup has none");
            }
            JsonNode m;
            try (InputStream in = zip.getInputStream(entry)) {
                m = Json.MAPPER.readTree(in);
            } catch (com.fasterxml.jackson.core.JacksonException e) {
                throw notABackup(file, MANIFEST + " is not JSON");
            }
            if (m == null || !FORMAT.equals(m.path("format").asText())) {
                throw notABackup(file, MANIFEST + " does not say format " + FORMAT);
            }
            int version = m.path("version").asInt(-1);
            if (version != VERSION) {
                throw new IllegalArgumentException(file + ": backup format version " + m.path("version") + " is not one this Latch reads ("
                        + VERSION + "); restore it with the Latch that made it");
            }
            String database = m.path("database").asText();
            if (!database.equals("h2") && !database.equals("postgresql")) {
                throw notABackup(file, "unknown database " + database);
            }
            Map<String, String> sha256 = new LinkedHashMap<>();
            m.path("sha256").properties().forEach(e -> sha256.put(e.getKey(), e.getValue().asText()));
            Map<String, Long> counts = new LinkedHashMap<>();
            m.path("contents").properties().forEach(e -> counts.put(e.getKey(), e.getValue().asLong()));
            Manifest manifest = new Manifest(database, m.path("schema_version").asText(null), Instant.parse(m.path("created").asText()),
                    m.path("master_key").asText(), counts, sha256);
            if (!sha256.containsKey(manifest.databaseEntry()) || manifest.includesMasterKey() != sha256.containsKey(MASTER_KEY)) {
                throw notABackup(file, MANIFEST + " does not list the entries a backup of " + database + " has");
            }
            for (Map.Entry<String, String> e : sha256.entrySet()) {
                ZipEntry z = zip.getEntry(e.getKey());
                if (z == null) {
                    throw new IllegalArgumentException(file + ": damaged backup: " + e.getKey() + " is missing");
                }
                try (InputStream in = zip.getInputStream(z)) {
                    if (!digest(in).equals(e.getValue())) {
                        throw new IllegalArgumentException(file + ": damaged backup: " + e.getKey() + " does not match its SHA-256");
                    }
                }
            }
            return manifest;
        } catch (ZipException e) {
            throw notABackup(file, "not a zip archive");
        } catch (java.time.format.DateTimeParseException e) {
            throw notABackup(file, MANIFEST + " has no valid created time");
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read: " + e.getMessage());
        }
    }

    /** Copies entry {@code name} of the archive to {@code target} (mode 600). */
    static void extract(Path archive, String name, Path target) throws IOException {
        try (ZipFile zip = new ZipFile(archive.toFile()); InputStream in = zip.getInputStream(zip.getEntry(name))) {
            createPrivate(target);
            try (OutputStream out = Files.newOutputStream(target)) {
                in.transferTo(out);
            }
        }
    }

    /** Copies {@code from} to a new file {@code to} readable by its owner only. */
    static void copyPrivate(Path from, Path to) throws IOException {
        createPrivate(to);
        try (InputStream in = Files.newInputStream(from); OutputStream out = Files.newOutputStream(to)) {
            in.transferTo(out);
        }
    }

    /** An empty file readable by its owner only, where the file system has POSIX permissions. */
    static Path createPrivate(Path dir, String prefix, String suffix) throws IOException {
        try {
            return Files.createTempFile(dir, prefix, suffix, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            return Files.createTempFile(dir, prefix, suffix);
        }
    }

    private static void createPrivate(Path file) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file);
        }
    }

    private static String copyInto(ZipOutputStream zip, String name, Path file) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        MessageDigest sha = sha256();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), sha)) {
            in.transferTo(zip);
        }
        zip.closeEntry();
        return HexFormat.of().formatHex(sha.digest());
    }

    private static String digest(InputStream in) throws IOException {
        MessageDigest sha = sha256();
        try (DigestInputStream d = new DigestInputStream(in, sha)) {
            d.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    private static IllegalArgumentException notABackup(Path file, String why) {
        return new IllegalArgumentException(file + ": not a Latch backup (" + why + ")");
    }
}
