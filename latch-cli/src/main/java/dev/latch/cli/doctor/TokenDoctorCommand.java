package dev.latch.cli.doctor;

import com.nimbusds.jose.jwk.JWK;
import dev.latch.cli.Main;
import dev.latch.cli.context.CommandContext;
import dev.latch.cli.fetch.Fetch;
import dev.latch.cli.jwt.TokenChecker;
import dev.latch.cli.options.DurationConverter;
import dev.latch.cli.options.SecretOptions;
import dev.latch.core.jose.JwsAlgorithms;
import dev.latch.core.secret.SecretReference;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code latch doctor token JWT --issuer URL [--aud A]}: every reason a verifier would reject the token, or that it would accept it. */
@Command(name = "token", mixinStandardHelpOptions = true,
        description = {"Explain why a JWT would be rejected, or that it would be accepted: its form, alg against the issuer's metadata, "
                + "kid against the issuer's JWKS, the signature, iss, aud (with --aud), exp/nbf/iat with leeway, and typ (against the "
                + "verifier's refusal with --refusal). Every check runs.",
                "JWT may be $${env:NAME}, $${file:PATH} or - (standard input) to keep the token out of the process list."},
        footer = {"", "Exit codes: 0 the token would be accepted, 1 it would be rejected (or cannot be checked), 2 usage error."})
public final class TokenDoctorCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "JWT", description = "The token (compact JWS).")
    String token;

    @Option(names = "--issuer", required = true, paramLabel = "URL", description = "The issuer the token should come from.")
    String issuer;

    @Option(names = "--aud", paramLabel = "AUDIENCE", description = "The audience the token must be meant for (your API's identifier).")
    String audience;

    @Option(names = "--leeway", paramLabel = "DURATION", defaultValue = "60s", converter = DurationConverter.class,
            description = "Clock leeway for exp, nbf and iat (default ${DEFAULT-VALUE}).")
    Duration leeway;

    @Option(names = "--refusal", paramLabel = "TEXT", description = "What the API answered when it refused the token (its "
            + "WWW-Authenticate, body or log line), e.g. Spring Security's \"the given typ value needs to be one of [JWT]\": "
            + "the doctor reads the types the verifier accepts and names the Latch setting that fixes the token's typ.")
    String refusal;

    @Option(names = "--insecure-localhost", description = "Accept plain http on localhost/127.0.0.1 without a warning.")
    boolean insecureLocalhost;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10s", converter = DurationConverter.class,
            description = "Time limit of each HTTP request (default ${DEFAULT-VALUE}).")
    Duration timeout;

    /** The metadata lists that name algorithms the server signs with (not those clients sign with). */
    private static final List<String> SERVER_SIGNING_ALGS = List.of("id_token_signing_alg_values_supported",
            "access_token_signing_alg_values_supported", "userinfo_signing_alg_values_supported",
            "introspection_signing_alg_values_supported", "authorization_signing_alg_values_supported");

    @Override
    public Integer call() {
        URI uri = DoctorCommand.issuerUri(spec, issuer);
        String jwtText = SecretReference.isReference(token) ? SecretOptions.resolve(spec, "JWT", token) : token;
        Report report = new Report(spec.commandLine().getOut());
        TokenChecker checker = TokenChecker.read(jwtText);
        add(report, checker.form());
        if (checker.form().failed()) {
            return report.finish("latch doctor: the token would be accepted", "latch doctor: the token would be rejected");
        }
        ProviderChecks provider = new ProviderChecks(new Fetch(timeout), CommandContext.clock(spec), report, insecureLocalhost);
        ProviderChecks.Discovered d = provider.discover(uri).orElse(null);
        TokenChecker.Keys keys = TokenChecker.Keys.unavailable();
        Set<String> advertised = new LinkedHashSet<>();
        if (d != null) {
            provider.checkIssuerMatches(issuer, d);
            provider.checkClockSkew(d.response());
            long failedBefore = report.count(Finding.Severity.FAIL);
            List<JWK> found = provider.checkJwks(d, false);
            if (d.text("jwks_uri") == null) {
                report.fail("jwks", "the issuer's metadata has no jwks_uri, so no signature from it can be checked", "publish jwks_uri in the metadata");
            } else if (report.count(Finding.Severity.FAIL) == failedBefore) {
                keys = TokenChecker.Keys.set(found);
            }
            for (String member : SERVER_SIGNING_ALGS) {
                List<String> l = d.list(member);
                if (l != null) advertised.addAll(l);
            }
        }
        TokenChecker.Policy policy = new TokenChecker.Policy(new LinkedHashSet<>(JwsAlgorithms.ASYMMETRIC), advertised, issuer,
                audience == null ? List.of() : List.of(audience), leeway, true);
        for (TokenChecker.Check c : checker.check(keys, policy, CommandContext.clock(spec))) {
            add(report, c);
        }
        report.add(TypeChecks.check(checker.header().get("typ"), checker.claims().get("aud"), refusal));
        return report.finish("latch doctor: the token would be accepted", "latch doctor: the token would be rejected");
    }

    private static void add(Report report, TokenChecker.Check c) {
        report.add(new Finding(Finding.Severity.valueOf(c.severity().name()), c.subject(), c.message(), c.fix()));
    }
}
