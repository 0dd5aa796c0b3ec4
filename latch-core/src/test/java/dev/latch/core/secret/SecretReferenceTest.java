package dev.latch.core.secret;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretReferenceTest {

    private static SecretReference with(Map<String, String> env, String stdin) {
        return new SecretReference(env::get, () -> new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void envReferenceResolvesToTheVariable() {
        assertThat(with(Map.of("DB_PW", "s3cret"), "").resolve("database.password", "${env:DB_PW}")).isEqualTo("s3cret");
    }

    @Test
    void envReferenceWhenUnsetThenErrorNamesSettingAndVariable() {
        assertThatThrownBy(() -> with(Map.of(), "").resolve("database.password", "${env:DB_PW}"))
                .isInstanceOf(SecretReference.SecretResolutionException.class)
                .hasMessage("database.password: environment variable DB_PW is not set");
    }

    @Test
    void envReferenceWhenEmptyThenErrorNeverEmptyString() {
        assertThatThrownBy(() -> with(Map.of("DB_PW", ""), "").resolve("database.password", "${env:DB_PW}"))
                .hasMessage("database.password: environment variable DB_PW is empty");
    }

    @Test
    void fileReferenceReadsAndTrimsTrailingNewline(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("pw");
        Files.writeString(f, "from-file\n");
        assertThat(with(Map.of(), "").resolve("x", "${file:" + f + "}")).isEqualTo("from-file");
    }

    @Test
    void fileReferenceWhenMissingOrEmptyThenErrorNamesFile(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("nope");
        assertThatThrownBy(() -> with(Map.of(), "").resolve("x", "${file:" + missing + "}"))
                .hasMessage("x: file " + missing + " does not exist");
        Path empty = dir.resolve("empty");
        Files.writeString(empty, "\n");
        assertThatThrownBy(() -> with(Map.of(), "").resolve("x", "${file:" + empty + "}"))
                .hasMessage("x: file " + empty + " is empty");
    }

    @Test
    void dashReadsOneLineFromStandardInput() {
        assertThat(with(Map.of(), "line-one\nline-two\n").resolve("--db-password", "-")).isEqualTo("line-one");
        assertThatThrownBy(() -> with(Map.of(), "").resolve("--db-password", "-"))
                .hasMessage("--db-password: standard input is empty");
    }

    @Test
    void parseTellsEachKindAndWhatItNames() {
        assertThat(SecretReference.parse("${env:DB_PASSWORD}")).isEqualTo(new SecretReference.Parsed(SecretReference.Kind.ENVIRONMENT_VARIABLE, "DB_PASSWORD"));
        assertThat(SecretReference.parse("${file:/run/secrets/db}")).isEqualTo(new SecretReference.Parsed(SecretReference.Kind.FILE, "/run/secrets/db"));
        assertThat(SecretReference.parse("-").kind()).isEqualTo(SecretReference.Kind.STANDARD_INPUT);
        assertThat(SecretReference.parse("${vault:db}").kind()).isEqualTo(SecretReference.Kind.UNKNOWN_REFERENCE);
        assertThat(SecretReference.parse("${env:UNCLOSED").kind()).isEqualTo(SecretReference.Kind.UNKNOWN_REFERENCE);
        assertThat(SecretReference.parse("hunter2").kind()).isEqualTo(SecretReference.Kind.LITERAL);
        assertThat(SecretReference.parse("${env:X}").isReference()).isTrue();
        assertThat(SecretReference.parse("${vault:db}").isReference()).isFalse();
    }

    @Test
    void unknownReferenceKindIsRefusedAndLiteralsPassThrough() {
        assertThatThrownBy(() -> with(Map.of(), "").resolve("x", "${vault:a}")).hasMessageContaining("unknown reference");
        assertThat(with(Map.of(), "").resolve("x", "literal")).isEqualTo("literal");
        assertThat(with(Map.of(), "").resolve("x", null)).isNull();
    }
}
