package dev.latch.cli.jwt;

import picocli.CommandLine.Command;

/** {@code latch jwt}: decode, verify and sign JSON Web Tokens (RFC 7519) without a Latch instance. */
@Command(name = "jwt", mixinStandardHelpOptions = true,
        description = {"Decode, verify and sign JSON Web Tokens (no Latch instance needed)."},
        footer = {"", "Exit codes: 0 success (verify: the token is valid), 1 failure (verify: the token is invalid, with the reason "
                + "on one line), 2 usage error."},
        subcommands = {DecodeJwtCommand.class, VerifyJwtCommand.class, SignJwtCommand.class})
public final class JwtCommand {
}
