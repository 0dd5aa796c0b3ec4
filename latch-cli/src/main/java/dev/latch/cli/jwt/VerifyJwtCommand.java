package dev.latch.cli.jwt;

import com.nimbusds.jose.JWSAlgorithm;
import dev.latch.cli.Main;
import dev.latch.cli.context.CommandContext;
import dev.latch.cli.options.DurationConverter;
import dev.latch.cli.options.SecretOptions;
import dev.latch.core.jose.JwsAlgorithms;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code latch jwt verify TOKEN (--jwks FILE_OR_URL | --key FILE | --issuer URL | --secret S) [--aud A] [--iss I]}. */
@Command(name = "verify", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Verify a signed JWT: exit 0 when it is valid, 1 with the reason on one line of stderr when not.",
                "Checked in this order: structure; alg (none is never accepted; the --alg allow-list, by default every asymmetric "
                        + "algorithm; HMAC only with --secret); the key (the token's kid must name a key of a JWK Set; type and curve "
                        + "must fit alg); the signature; exp, nbf and iat with --skew; iss; aud.",
                "Keys: --jwks (a JWK Set file or http(s) URL), --key (a PEM, JWK or PKCS#12 key or certificate file), --issuer "
                        + "(its metadata: ISSUER/.well-known/openid-configuration, then RFC 8414's oauth-authorization-server, whose "
                        + "issuer must equal ISSUER exactly, then its jwks_uri; iss must be ISSUER too) or --secret (HMAC).",
                "On success the claims are printed (nothing with -q)."},
        footer = {"", "Examples:",
                "  latch jwt verify \"$TOKEN\" --issuer https://login.example.com --aud api://orders",
                "  latch jwt verify \"$TOKEN\" --jwks https://idp.example.com/jwks --alg RS256 --alg PS256",
                "  latch jwt verify \"$TOKEN\" --key client.pub.pem --skew 0",
                "  latch jwt verify \"$TOKEN\" --secret '$${env:HMAC_SECRET}' --alg HS256",
                "", "Exit codes: 0 the token is valid, 1 it is not (reasons such as: expired at …, not yet valid, signature does not "
                + "verify with key kid=…, no key with kid …, alg none refused, alg X not allowed for key type Y, iss mismatch, aud "
                + "mismatch, malformed token: …) or the keys cannot be had (unreadable file, unreachable URL, not a JWK Set), "
                + "2 usage error."})
public final class VerifyJwtCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "TOKEN", description = "The token, or - to read it from standard input.")
    String token;

    static final class KeySource {
        @Option(names = "--jwks", paramLabel = "FILE_OR_URL", description = "JWK Set file or http(s) URL.")
        String jwks;

        @Option(names = "--key", paramLabel = "FILE", description = "Key or certificate file: PEM, JWK, JWKS of one key, PKCS#12.")
        Path key;

        @Option(names = "--issuer", paramLabel = "URL", description = "Issuer: keys through its discovery document; iss must equal it.")
        String issuer;

        @Option(names = "--secret", paramLabel = "SECRET",
                description = "HMAC secret (HS256/384/512): $${env:NAME}, $${file:PATH} or - (standard input).")
        String secret;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    KeySource keys;

    @Option(names = "--key-password", paramLabel = "SECRET",
            description = "Password of an encrypted PEM or PKCS#12 --key file: $${env:NAME}, $${file:PATH} or - (standard input).")
    String keyPassword;

    @Option(names = "--aud", paramLabel = "AUD", description = "Required audience (repeatable: any one must be in aud).")
    List<String> audiences = new ArrayList<>();

    @Option(names = "--iss", paramLabel = "ISS", description = "Required issuer (iss, compared exactly).")
    String iss;

    @Option(names = "--alg", paramLabel = "ALG",
            description = "Allowed algorithm (repeatable). Default: RS256..512, PS256..512, ES256/384/512, Ed25519, EdDSA; "
                    + "with --secret: HS256, HS384, HS512.")
    List<String> algs = new ArrayList<>();

    @Option(names = "--skew", paramLabel = "DURATION", converter = DurationConverter.ZeroAllowed.class,
            description = "Clock skew tolerated for exp, nbf and iat (default 60s).")
    Duration skew = Duration.ofSeconds(60);

    @Option(names = "--require-exp", description = "Refuse a token without exp (access tokens and ID tokens must have one).")
    boolean requireExp;

    @Option(names = {"-q", "--quiet"}, description = "Print nothing on success; only the exit code tells.")
    boolean quiet;

    @Override
    public Integer call() {
        String issuer = keys.issuer;
        if (issuer != null && iss != null && !iss.equals(issuer)) {
            throw new ParameterException(spec.commandLine(), "--iss " + iss + " differs from --issuer " + issuer);
        }
        Set<JWSAlgorithm> allowed = allowed();
        if (keyPassword != null && keys.key == null) {
            throw new ParameterException(spec.commandLine(), "--key-password applies to --key only");
        }
        TokenChecker.Policy policy = new TokenChecker.Policy(allowed, List.of(), issuer != null ? issuer : iss, List.copyOf(audiences),
                skew, requireExp);
        TokenChecker checker = TokenChecker.read(CompactToken.read(spec, token));
        TokenChecker.Keys with;
        if (keys.secret != null) {
            with = TokenChecker.Keys.secret(SecretOptions.resolve(spec, "--secret", keys.secret));
        } else if (keys.key != null) {
            with = TokenChecker.Keys.single(KeySources.keyFile(keys.key, SecretOptions.resolve(spec, "--key-password", keyPassword)));
        } else {
            with = TokenChecker.Keys.set(keys.jwks != null ? KeySources.jwks(spec, keys.jwks) : KeySources.discover(issuer));
        }
        Optional<TokenChecker.Check> failure = checker.all(with, policy, CommandContext.clock(spec)).stream().filter(TokenChecker.Check::failed).findFirst();
        if (failure.isPresent()) {
            spec.commandLine().getErr().println("latch: invalid token: " + failure.get().reason());
            spec.commandLine().getErr().flush();
            return 1;
        }
        if (!quiet) {
            PrintWriter out = spec.commandLine().getOut();
            Instant now = CommandContext.clock(spec).instant();
            Instant exp = TokenChecker.numericDate(checker.claims(), "exp");
            out.println("valid: " + checker.header().get("alg") + " signature verified with " + checker.verifiedWith()
                    + (exp == null ? "; no exp" : "; expires " + JsonText.time(exp, now)));
            out.println(JsonText.pretty(checker.claims()));
            out.flush();
        }
        return 0;
    }

    private Set<JWSAlgorithm> allowed() {
        boolean hmac = keys.secret != null;
        if (algs.isEmpty()) {
            return new LinkedHashSet<>(hmac ? JwsAlgorithms.HMAC : JwsAlgorithms.ASYMMETRIC);
        }
        Set<JWSAlgorithm> out = new LinkedHashSet<>();
        for (String name : algs) {
            if ("none".equalsIgnoreCase(name)) {
                throw new ParameterException(spec.commandLine(), "--alg none: unsigned tokens are never accepted");
            }
            JWSAlgorithm alg;
            try {
                alg = JwsAlgorithms.parse(name);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--alg: " + e.getMessage());
            }
            if (JwsAlgorithms.isHmac(alg) != hmac) {
                throw new ParameterException(spec.commandLine(), hmac
                        ? "--alg " + name + " is not HMAC; --secret verifies HS256, HS384 and HS512 only"
                        : "--alg " + name + " is HMAC: give the shared secret with --secret (never a public key)");
            }
            out.add(alg);
        }
        return out;
    }
}
