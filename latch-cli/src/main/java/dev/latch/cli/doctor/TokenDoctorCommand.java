package dev.latch.cli.doctor;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jwt.SignedJWT;
import dev.latch.cli.DurationConverter;
import dev.latch.cli.Main;
import dev.latch.cli.SecretOptions;
import dev.latch.core.secret.SecretReference;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code latch doctor token JWT --issuer URL [--aud A]}: every reason a verifier would reject the token, or that it would accept it. */
@Command(name = "token", mixinStandardHelpOptions = true,
        description = {"Explain why a JWT would be rejected, or that it would be accepted: its form, alg against the issuer's metadata, "
                + "kid against the issuer's JWKS, the signature, iss, aud (with --aud), and exp/nbf/iat with leeway. Every check runs.",
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

    @Option(names = "--insecure-localhost", description = "Accept plain http on localhost/127.0.0.1 without a warning.")
    boolean insecureLocalhost;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10s", converter = DurationConverter.class,
            description = "Time limit of each HTTP request (default ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public Integer call() {
        URI uri = DoctorCommand.issuerUri(spec, issuer);
        String jwtText = SecretReference.isReference(token) ? SecretOptions.resolve(spec, "JWT", token) : token;
        Report report = new Report(spec.commandLine().getOut());
        TokenChecks tokens = new TokenChecks(report, Main.clock(spec), leeway);
        SignedJWT jwt = tokens.decode(jwtText);
        if (jwt == null) {
            return report.finish("latch doctor: the token would be accepted", "latch doctor: the token would be rejected");
        }
        ProviderChecks provider = new ProviderChecks(new Fetch(timeout), Main.clock(spec), report, insecureLocalhost);
        Optional<ProviderChecks.Discovered> found = provider.discover(uri);
        ProviderChecks.Discovered d = found.orElse(null);
        List<JWK> keys = List.of();
        boolean jwksAvailable = false;
        if (d != null) {
            provider.checkIssuerMatches(issuer, d);
            provider.checkClockSkew(d.response());
            long failedBefore = report.count(Finding.Severity.FAIL);
            keys = provider.checkJwks(d, false);
            jwksAvailable = d.text("jwks_uri") != null && report.count(Finding.Severity.FAIL) == failedBefore;
            if (d.text("jwks_uri") == null) {
                report.fail("jwks", "the issuer's metadata has no jwks_uri, so no signature from it can be checked", "publish jwks_uri in the metadata");
            }
        }
        JWSAlgorithm alg = tokens.checkAlgorithm(jwt, d);
        tokens.checkSignature(jwt, alg, keys, jwksAvailable);
        tokens.checkClaims(jwt, issuer, audience);
        return report.finish("latch doctor: the token would be accepted", "latch doctor: the token would be rejected");
    }
}
