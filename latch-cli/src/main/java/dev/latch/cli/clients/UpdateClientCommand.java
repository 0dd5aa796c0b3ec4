package dev.latch.cli.clients;

import dev.latch.server.audit.Audit;
import dev.latch.server.audit.AuditEvent;
import dev.latch.cli.instance.InstanceOptions;
import dev.latch.core.error.OAuthError;
import dev.latch.server.LatchInstance;
import dev.latch.server.client.Client;
import dev.latch.server.client.ClientRegistry;
import dev.latch.server.client.StoredClient;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code latch clients update ID}: changes only the fields given. */
@Command(name = "update", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Change a client: only the fields given change; a repeatable option given replaces the whole list. "
                + "--jwks replaces jwks_uri and --jwks-uri replaces jwks.",
                "The secret stays, unless --auth-method switches between a digested secret (client_secret_basic/_post), "
                        + "an HMAC key (client_secret_jwt) and none (private_key_jwt): then a new secret is generated and "
                        + "printed once as \"client_secret\"."})
public final class UpdateClientCommand implements Callable<Integer> {

    /** Fields {@code --unset} may clear, by their metadata names. */
    static final Map<String, Consumer<Client.Builder>> UNSETTABLE = Map.ofEntries(
            Map.entry("client_name", b -> b.clientName(null)),
            Map.entry("token_endpoint_auth_signing_alg", b -> b.tokenEndpointAuthSigningAlg(null)),
            Map.entry("scope", b -> b.scope(null)),
            Map.entry("jwks", b -> b.jwks(null)),
            Map.entry("jwks_uri", b -> b.jwksUri(null)),
            Map.entry("redirect_uris", b -> b.redirectUris(null)),
            Map.entry("post_logout_redirect_uris", b -> b.postLogoutRedirectUris(null)),
            Map.entry("allowed_resources", b -> b.allowedResources(null)),
            Map.entry("resource_uris", b -> b.resourceUris(null)),
            Map.entry("access_token_lifetime", b -> b.accessTokenLifetime(null)),
            Map.entry("access_token_format", b -> b.accessTokenFormat(null)),
            Map.entry("access_token_signed_response_alg", b -> b.accessTokenSignedResponseAlg(null)),
            Map.entry("initiate_login_uri", b -> b.initiateLoginUri(null)));

    @Spec
    CommandSpec spec;

    @Mixin
    InstanceOptions instance = new InstanceOptions();

    @Parameters(index = "0", paramLabel = "CLIENT_ID", description = "The client to change.")
    String clientId;

    @Mixin
    ClientMetadataOptions metadata = new ClientMetadataOptions();

    @Option(names = "--enabled", description = "The client may get tokens again (enabled: true).")
    boolean enabled;

    @Option(names = "--unset", paramLabel = "FIELD", split = ",",
            description = "Clear a field, back to its default; repeatable or comma-separated: client_name, scope, jwks, jwks_uri, "
                    + "redirect_uris, post_logout_redirect_uris, allowed_resources, resource_uris, access_token_lifetime, access_token_format, "
                    + "access_token_signed_response_alg, token_endpoint_auth_signing_alg, initiate_login_uri.")
    List<String> unset;

    @Option(names = {"-q", "--quiet"},
            description = "Print only the client_id on one line and, when one was generated, the new secret on the next.")
    boolean quiet;

    @Override
    public Integer call() {
        metadata.checkNotBoth();
        if (enabled && metadata.disabled) {
            throw new IllegalArgumentException("--enabled and --disabled contradict each other");
        }
        try (LatchInstance latch = instance.open(false)) {
            StoredClient existing = latch.clients().find(clientId).orElseThrow(() -> OAuthError.notFound("no client " + clientId));
            Client.Builder b = existing.client().toBuilder();
            for (String field : unset == null ? List.<String>of() : unset) {
                Consumer<Client.Builder> clear = UNSETTABLE.get(field);
                if (clear == null) {
                    throw new IllegalArgumentException("--unset " + field + ": not a field that can be cleared (one of "
                            + String.join(", ", new java.util.TreeSet<>(UNSETTABLE.keySet())) + ")");
                }
                clear.accept(b);
            }
            metadata.applyTo(b);
            if (enabled) {
                b.enabled(null);
            }
            ClientRegistry.Registered registered = latch.clients().update(clientId, b.build(), true);
            Audit.success(AuditEvent.CLIENT_UPDATE).cli().client(clientId).scope(registered.stored().client().scope())
                    .authMethod(registered.stored().client().tokenEndpointAuthMethod()).write();
            ClientOutput.print(spec, registered, quiet);
        }
        return 0;
    }
}
