package dev.latch.cli.keys;

import java.time.Instant;
import picocli.CommandLine.Command;

/** {@code latch keys}: the server's signing keys, and key files (generate, convert, thumbprint). */
@Command(name = "keys", mixinStandardHelpOptions = true,
        description = {"Key files: generate, convert and thumbprint work on files alone (no Latch instance).",
                "The server's signing keys: list, rotate, import and unpublish (works while `latch serve` runs on the same data).",
                "A new key is published in the JWKS at once but signs only after tokens.jwks-max-age, so every cached JWKS knows it first; "
                        + "the key it replaces stops signing then and stays published for tokens.max-access-token-lifetime more."},
        footer = {"", "Exit codes: 0 success, 1 the operation failed, 2 usage error."},
        subcommands = {ListKeysCommand.class, RotateKeyCommand.class, ImportKeyCommand.class, UnpublishKeyCommand.class,
                GenerateKeyCommand.class, ConvertKeyCommand.class, ThumbprintCommand.class})
public final class KeysCommand {

    /** Times are shown as ISO-8601 UTC instants. */
    static String time(Long epochSeconds) {
        return epochSeconds == null ? null : Instant.ofEpochSecond(epochSeconds).toString();
    }
}
