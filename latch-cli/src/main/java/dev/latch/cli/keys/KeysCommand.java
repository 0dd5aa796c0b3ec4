package dev.latch.cli.keys;

import java.time.Instant;
import picocli.CommandLine.Command;

/** {@code latch keys}: the server's signing keys. */
@Command(name = "keys", mixinStandardHelpOptions = true,
        description = {"List, rotate, import and unpublish the server's signing keys (works while `latch serve` runs on the same data).",
                "A new key is published in the JWKS at once but signs only after tokens.jwks-max-age, so every cached JWKS knows it first; "
                        + "the key it replaces stops signing then and stays published for tokens.max-access-token-lifetime more."},
        subcommands = {ListKeysCommand.class, RotateKeyCommand.class, ImportKeyCommand.class, UnpublishKeyCommand.class})
public final class KeysCommand {

    /** Times are shown as ISO-8601 UTC instants. */
    static String time(Long epochSeconds) {
        return epochSeconds == null ? null : Instant.ofEpochSecond(epochSeconds).toString();
    }
}
