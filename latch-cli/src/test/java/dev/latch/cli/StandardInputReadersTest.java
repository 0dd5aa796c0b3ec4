package dev.latch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Standard input can be read once: two arguments reading it are a usage error before anything runs. */
class StandardInputReadersTest {

    static void refused(Cli.Result r, String message, String command) {
        assertThat(r.exit()).as(r.err()).isEqualTo(2);
        assertThat(r.err().lines().toList()).containsExactly("latch: " + message, "Try '" + command + " --help' for more information.");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void signWithSecretAndClaimsBothFromStandardInputThenUsageErrorNamingBoth() {
        Cli.Result r = new Cli(null).stdin("{\"sub\":\"a\"}").raw("jwt", "sign", "--secret", "-", "--alg", "HS256", "--claims", "@-");
        refused(r, "--secret - and --claims @- both read standard input, which can be read once: give one of them as a file or ${env:NAME}",
                "latch jwt sign");
    }

    @Test
    void verifyWithTokenAndKeyPasswordBothFromStandardInputThenUsageErrorNamingBoth() {
        Cli.Result r = new Cli(null).stdin("x").raw("jwt", "verify", "-", "--key", "k.p12", "--key-password", "-");
        refused(r, "TOKEN - and --key-password - both read standard input, which can be read once: give one of them as a file or ${env:NAME}",
                "latch jwt verify");
    }

    @Test
    void tokenWithSecretAndRefreshTokenBothFromStandardInputThenUsageError() {
        Cli.Result r = new Cli(null).stdin("x").raw("token", "--issuer", "https://as.example", "--client-id", "c", "--client-secret", "-",
                "--grant", "refresh_token", "--refresh-token", "-");
        refused(r, "--client-secret - and --refresh-token - both read standard input, which can be read once: give one of them as a file"
                + " or ${env:NAME}", "latch token");
    }

    @Test
    void oneReaderThenItGetsStandardInput() {
        Cli.Result r = new Cli(null).stdin("{\"sub\":\"alice\"}").env("HS", "a shared secret of more than thirty-two bytes, for HS256")
                .raw("jwt", "sign", "--secret", "${env:HS}", "--alg", "HS256", "--claims", "@-");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(List.of(r.out().strip().split("\\."))).hasSize(3);
    }
}
