package dev.latch.cli.keys;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyType;
import dev.latch.cli.Main;
import dev.latch.cli.context.CommandContext;
import dev.latch.core.jose.JwsAlgorithms;
import dev.latch.core.jose.KeyFiles;
import dev.latch.core.jose.KeyGeneration;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code latch keys generate}: a new signing key as PEM, JWK and JWKS files, optionally with a self-signed certificate. */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Generate a signing key pair (no Latch instance needed).",
                "With --out PREFIX the files are PREFIX.key.pem (private, PKCS#8), PREFIX.pub.pem (public), PREFIX.jwk.json "
                        + "(private JWK), PREFIX.jwks.json (public JWK Set, to publish or register) and with --cert PREFIX.crt.pem; "
                        + "--format picks some of them. Private files are created with mode 0600. Existing files are not "
                        + "overwritten unless --force. Without --out one format is printed (default pem: private key, then the certificate).",
                "The kid is the key's RFC 7638 thumbprint unless --kid is given."},
        footer = {"", "Examples:",
                "  latch keys generate --type ec --curve P-384 --out client",
                "  latch keys generate --alg PS256 --cert --subject \"CN=my-client\" --days 730 --out entra",
                "  latch keys generate --type ed25519 --format jwk",
                "", "Exit codes: 0 written, 1 the files could not be written (or exist without --force), "
                + "2 usage error (unsupported type, size, curve, or an --alg that does not fit the key)."})
public final class GenerateKeyCommand implements Callable<Integer> {

    enum Type { rsa, ec, ed25519 }

    /** What generate writes (PKCS#12 needs a password: {@code latch keys convert KEY --to pkcs12}). */
    enum Format { pem, jwk, jwks }

    @Spec
    CommandSpec spec;

    @Option(names = "--type", paramLabel = "TYPE", description = "rsa, ec or ed25519 (default: the type --alg needs, ec with --curve, else rsa).")
    Type type;

    @Option(names = "--size", paramLabel = "BITS", description = "RSA modulus size: 2048 (default), 3072 or 4096.")
    Integer size;

    @Option(names = "--curve", paramLabel = "CURVE", description = "EC curve: P-256 (default), P-384 or P-521.")
    String curve;

    @Option(names = "--alg", paramLabel = "ALG",
            description = "Algorithm recorded in the JWK (alg), e.g. RS256, PS256, ES384, Ed25519; must fit the key. Default: none (an RSA key serves RS* and PS*).")
    String alg;

    @Option(names = "--kid", paramLabel = "KID", description = "Key id (default: the RFC 7638 thumbprint).")
    String kid;

    @Option(names = "--out", paramLabel = "PREFIX", description = "Write files named PREFIX.* instead of printing.")
    Path out;

    @Option(names = "--format", paramLabel = "FORMAT", split = ",",
            description = "pem, jwk or jwks (repeatable or comma-separated with --out; default with --out: all; without: pem).")
    List<Format> formats = new ArrayList<>();

    @Option(names = "--cert", description = "Also make a self-signed X.509 certificate for the key (x5c/x5t#S256 in the JWKs).")
    boolean cert;

    @Mixin
    SelfSignedCertificateOptions certificate = new SelfSignedCertificateOptions();

    @Option(names = "--force", description = "Overwrite existing files.")
    boolean force;

    @Override
    public Integer call() throws GeneralSecurityException, JOSEException {
        JWSAlgorithm algorithm = algorithm();
        Type keyType = type != null ? type : algorithm != null ? typeFor(algorithm) : curve != null ? Type.ec : Type.rsa;
        checkOptions(keyType, algorithm);
        JWK key = switch (keyType) {
            case rsa -> KeyGeneration.rsa(size == null ? 2048 : size);
            case ec -> KeyGeneration.ec(curve != null ? curve(curve) : algorithm != null ? JwsAlgorithms.curve(algorithm) : Curve.P_256);
            case ed25519 -> KeyGeneration.ed25519();
        };
        if (algorithm != null) {
            if (!JwsAlgorithms.fits(key, algorithm)) {
                throw usage("--alg " + alg + " does not fit a " + KeyGeneration.describe(key) + " key (it fits: "
                        + String.join(", ", JwsAlgorithms.fitting(key).stream().map(JWSAlgorithm::getName).toList()) + ")");
            }
            key = KeyGeneration.withAlgorithm(key, algorithm);
        }
        if (kid != null) {
            key = KeyGeneration.withKeyId(key, kid);
        }
        List<X509Certificate> chain = List.of();
        if (cert) {
            chain = List.of(certificate.make(key, CommandContext.clock(spec).instant()));
            key = KeyFiles.withCertificateChain(key, chain);
        }
        if (out == null) {
            print(key, chain);
        } else {
            write(key, chain);
        }
        return 0;
    }

    private JWSAlgorithm algorithm() {
        if (alg == null) {
            return null;
        }
        JWSAlgorithm parsed;
        try {
            parsed = JwsAlgorithms.parse(alg);
        } catch (IllegalArgumentException e) {
            throw usage("--alg: " + e.getMessage());
        }
        if (JwsAlgorithms.isHmac(parsed)) {
            throw usage("--alg " + alg + " is HMAC, which uses a shared secret, not a key pair: generate a random secret of at least "
                    + Integer.parseInt(alg.substring(2)) / 8 + " bytes instead");
        }
        return parsed;
    }

    private static Type typeFor(JWSAlgorithm alg) {
        KeyType kty = JwsAlgorithms.keyType(alg);
        return KeyType.RSA.equals(kty) ? Type.rsa : KeyType.EC.equals(kty) ? Type.ec : Type.ed25519;
    }

    private void checkOptions(Type keyType, JWSAlgorithm algorithm) {
        if (size != null && keyType != Type.rsa) {
            throw usage("--size applies to RSA keys only (this is " + keyType + ")");
        }
        if (size != null && !KeyGeneration.RSA_SIZES.contains(size)) {
            throw usage("unsupported RSA key size " + size + " (supported: 2048, 3072, 4096)");
        }
        if (curve != null && keyType != Type.ec) {
            throw usage("--curve applies to EC keys only (this is " + keyType + ")");
        }
        if (curve != null) {
            curve(curve);
        }
        if (algorithm != null && type != null && typeFor(algorithm) != type) {
            throw usage("--alg " + alg + " needs a " + typeFor(algorithm) + " key, not " + type);
        }
        certificate.check(spec, cert, "--cert");
        if (kid != null && kid.isBlank()) {
            throw usage("--kid must not be empty (leave it out for the RFC 7638 thumbprint)");
        }
        Set<Format> chosen = formats.isEmpty() ? EnumSet.noneOf(Format.class) : EnumSet.copyOf(formats);
        if (out == null && chosen.size() > 1) {
            throw usage("without --out only one --format can be printed");
        }
    }

    private Curve curve(String name) {
        try {
            return KeyGeneration.ecCurve(name);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    private void print(JWK key, List<X509Certificate> chain) throws GeneralSecurityException, JOSEException {
        Format format = formats.isEmpty() ? Format.pem : formats.get(0);
        String text = switch (format) {
            case pem -> KeyFiles.privateKeyPem(key, null) + KeyFiles.certificatesPem(chain);
            case jwk -> KeyJson.pretty(key.toJSONObject()) + "\n";
            case jwks -> KeyJson.pretty(KeyJson.publicSet(key)) + "\n";
        };
        spec.commandLine().getOut().print(text);
        spec.commandLine().getOut().flush();
    }

    private void write(JWK key, List<X509Certificate> chain) throws GeneralSecurityException, JOSEException {
        Set<Format> chosen = formats.isEmpty() ? EnumSet.allOf(Format.class) : EnumSet.copyOf(formats);
        OutputFiles files = new OutputFiles();
        String prefix = out.toString();
        if (chosen.contains(Format.pem)) {
            files.add(Path.of(prefix + ".key.pem"), KeyFiles.privateKeyPem(key, null), true, "private key (PKCS#8 PEM)");
            files.add(Path.of(prefix + ".pub.pem"), KeyFiles.publicKeyPem(key), false, "public key (PEM)");
            if (!chain.isEmpty()) {
                files.add(Path.of(prefix + ".crt.pem"), KeyFiles.certificatesPem(chain), false, "self-signed certificate (PEM)");
            }
        }
        if (chosen.contains(Format.jwk)) {
            files.add(Path.of(prefix + ".jwk.json"), KeyJson.pretty(key.toJSONObject()) + "\n", true, "private JWK");
        }
        if (chosen.contains(Format.jwks)) {
            files.add(Path.of(prefix + ".jwks.json"), KeyJson.pretty(KeyJson.publicSet(key)) + "\n", false, "public JWK Set");
        }
        var written = files.write(force);
        var o = spec.commandLine().getOut();
        o.println("kid " + key.getKeyID() + " (" + KeyGeneration.describe(key)
                + (key.getAlgorithm() == null ? "" : ", alg " + key.getAlgorithm()) + ")");
        for (OutputFiles.Output w : written) {
            o.println("wrote " + w.path() + ": " + w.what() + (w.secret() ? ", mode 0600" : ""));
        }
        if (!chain.isEmpty()) {
            o.println("certificate " + chain.get(0).getSubjectX500Principal().getName() + ", valid until "
                    + chain.get(0).getNotAfter().toInstant());
        }
        o.flush();
    }
}
