package dev.latch.cli.resources;

import picocli.CommandLine.Command;

/** {@code latch resources}: the access-token profile of each resource (RFC 8707 resource indicator). */
@Command(name = "resources", mixinStandardHelpOptions = true,
        description = {"Choose the form of JWT access tokens per resource (the RFC 8707 `resource` a client asks for, the token's aud): "
                + "rfc9068 (typ at+jwt) or jwt (typ JWT, same claims; for Spring Security and other verifiers that accept only JWT). "
                + "Audiences without a profile of their own take tokens.default-profile (default rfc9068); a token with several "
                + "audiences is typ JWT only when every one of them is jwt.",
                "Works while `latch serve` runs on the same data; a running server sees changes within 2 seconds. "
                + "Resources declared under `resources:` in the configuration are set again at each start."},
        subcommands = {SetResourceCommand.class, ListResourcesCommand.class, RemoveResourceCommand.class})
public final class ResourcesCommand {
}
