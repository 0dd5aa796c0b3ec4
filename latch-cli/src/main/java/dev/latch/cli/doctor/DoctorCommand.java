package dev.latch.cli.doctor;

import dev.latch.cli.Main;
import dev.latch.cli.context.CommandContext;
import dev.latch.cli.fetch.Fetch;
import dev.latch.cli.options.DurationConverter;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code latch doctor ISSUER}: what is wrong with a provider set-up, in plain language, with the fix. */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = {"Diagnose an OAuth 2.0 / OpenID Connect provider set-up: discovery (reachable, issuer exactly as given, "
                + "absolute https endpoints), the JWKS and every key in it (kid unique, alg fits the key type and curve, RSA >= 2048 bits, "
                + "use sig, no private parts), clock skew against the server's Date, the token endpoint's error answers, and what a "
                + "given client is configured for (--client-auth, --alg, --grant).",
                "Each finding is printed as [OK], [WARN] or [FAIL] with the fix below it; every check runs, so one problem does not hide the next.",
                "`latch doctor token JWT --issuer URL` explains why a token would be rejected."},
        footer = {"", "Exit codes: 0 no FAIL, 1 at least one FAIL, 2 usage error."},
        subcommands = {TokenDoctorCommand.class})
public final class DoctorCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "ISSUER",
            description = "The issuer URL exactly as clients are configured with it (e.g. https://login.example.com/realms/main).")
    String issuer;

    @Option(names = "--client-auth", paramLabel = "METHOD",
            description = "The client's token_endpoint_auth_method: client_secret_basic, client_secret_post, client_secret_jwt, "
                    + "private_key_jwt, none, tls_client_auth, self_signed_tls_client_auth.")
    String clientAuth;

    @Option(names = "--alg", paramLabel = "ALG", description = "The algorithm the client signs its assertions with (private_key_jwt, client_secret_jwt).")
    String alg;

    @Option(names = "--grant", paramLabel = "GRANT", description = "A grant type the client needs (client_credentials, authorization_code, …).")
    String grant;

    @Option(names = "--insecure-localhost", description = "Accept plain http on localhost/127.0.0.1 without a warning (development set-ups).")
    boolean insecureLocalhost;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10s", converter = DurationConverter.class,
            description = "Time limit of each HTTP request (default ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public Integer call() {
        if (issuer == null) {
            throw new ParameterException(spec.commandLine(), "Missing required parameter: 'ISSUER' (or use 'latch doctor token')");
        }
        URI uri = issuerUri(spec, issuer);
        if (clientAuth != null && !ProviderChecks.METHODS.contains(clientAuth)) {
            throw new ParameterException(spec.commandLine(), "--client-auth: unknown method " + clientAuth + " (one of "
                    + String.join(", ", ProviderChecks.METHODS.stream().sorted().toList()) + ")");
        }
        if (alg != null) {
            checkAlgName(spec, "--alg", alg);
        }
        String method = clientAuth;
        if (method == null && alg != null) {
            method = alg.startsWith("HS") ? "client_secret_jwt" : "private_key_jwt";
        }

        Report report = new Report(spec.commandLine().getOut());
        ProviderChecks checks = new ProviderChecks(new Fetch(timeout), CommandContext.clock(spec), report, insecureLocalhost);
        checks.checkIssuerUrl(uri);
        Optional<ProviderChecks.Discovered> found = checks.discover(uri);
        if (found.isPresent()) {
            ProviderChecks.Discovered d = found.get();
            checks.checkIssuerMatches(issuer, d);
            checks.checkRequiredMembers(d);
            checks.checkEndpoints(d);
            checks.checkClockSkew(d.response());
            checks.checkAdvertisedAlgorithms(d, checks.checkJwks(d, true));
            checks.checkTokenEndpoint(d);
            checks.checkClient(d, method, alg, grant);
        }
        return report.finish("latch doctor: nothing that would stop clients", "latch doctor: problems found");
    }

    /** An absolute http(s) URL with a host, else a usage error. */
    static URI issuerUri(CommandSpec spec, String issuer) {
        URI uri = Fetch.httpUri(issuer);
        if (uri == null) {
            throw new ParameterException(spec.commandLine(), "the issuer must be an absolute https:// (or http://localhost) URL, not '" + issuer + "'");
        }
        return uri;
    }

    static void checkAlgName(CommandSpec spec, String option, String alg) {
        if (!dev.latch.core.jose.JwsAlgorithms.clientAssertionNames().contains(alg)) {
            throw new ParameterException(spec.commandLine(), option + ": unsupported algorithm " + alg + " (one of "
                    + String.join(", ", dev.latch.core.jose.JwsAlgorithms.clientAssertionNames()) + ")");
        }
    }

}
