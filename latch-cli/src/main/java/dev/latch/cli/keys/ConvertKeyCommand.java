package dev.latch.cli.keys;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.JWK;
import dev.latch.cli.Main;
import dev.latch.cli.context.CommandContext;
import dev.latch.cli.options.KeyFileInput;
import dev.latch.cli.options.SecretOptions;
import dev.latch.core.jose.KeyFiles;
import dev.latch.core.jose.KeyGeneration;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code latch keys convert IN --to pem|jwk|jwks|pkcs12}. */
@Command(name = "convert", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Convert a key file between PEM, JWK, JWKS and PKCS#12 (no Latch instance needed).",
                "IN is PEM (PKCS#1, PKCS#8, encrypted PKCS#8, SEC1 EC, public key, certificate), DER certificate, JWK, JWKS of one key "
                        + "or PKCS#12. A private input gives a private output (jwks is always the public JWK Set); a public input "
                        + "(public PEM, public JWK, certificate) gives a public output. Certificates travel along (PEM after the key, "
                        + "x5c in JWKs, the chain in PKCS#12).",
                "PKCS#12 needs a certificate: the input's, or a self-signed one made with --self-signed; and a password (--out-password)."},
        footer = {"", "Examples:",
                "  latch keys convert client.key.pem --to jwk",
                "  latch keys convert client.jwk.json --to pkcs12 --self-signed --subject CN=client --out client.p12 --out-password '$${env:P12_PASSWORD}'",
                "  latch keys convert client.p12 --key-password '$${file:p12.pass}' --to pem --out client.pem",
                "", "Exit codes: 0 converted, 1 the input cannot be read (or the output written), 2 usage error."})
public final class ConvertKeyCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "IN", description = "Key or certificate file.")
    Path in;

    @Option(names = "--to", required = true, paramLabel = "FORMAT", description = "pem, jwk, jwks or pkcs12.")
    KeyFileFormat to;

    @Option(names = "--out", paramLabel = "FILE", description = "Write FILE (private output: mode 0600) instead of printing; required for pkcs12.")
    Path out;

    @Option(names = "--key-password", paramLabel = "SECRET",
            description = "Password of an encrypted PEM or PKCS#12 input: $${env:NAME}, $${file:PATH} or - (standard input).")
    String keyPassword;

    @Option(names = "--out-password", paramLabel = "SECRET",
            description = "Password for the output: required for pkcs12; for pem it writes an encrypted PKCS#8 key (PBES2, AES-256-CBC). "
                    + "$${env:NAME}, $${file:PATH} or - (standard input).")
    String outPassword;

    @Option(names = "--self-signed", description = "For pkcs12 when the input has no certificate: make a self-signed one.")
    boolean selfSigned;

    @Mixin
    SelfSignedCertificateOptions certificate = new SelfSignedCertificateOptions();

    @Option(names = "--alias", paramLabel = "NAME", description = "PKCS#12 entry name (default: the kid).")
    String alias;

    @Option(names = "--force", description = "Overwrite an existing --out file.")
    boolean force;

    @Override
    public Integer call() throws GeneralSecurityException, JOSEException {
        checkOptions();
        String password = SecretOptions.resolve(spec, "--key-password", keyPassword);
        JWK key = KeyFileInput.read(in, password);
        String outputPassword = SecretOptions.resolve(spec, "--out-password", outPassword);
        List<X509Certificate> chain = KeyFiles.certificates(key);
        if (outputPassword != null && to == KeyFileFormat.pem && !key.isPrivate()) {
            throw new IllegalArgumentException(in + " holds a public key; --out-password encrypts private keys only");
        }
        if (selfSigned) {
            if (!chain.isEmpty()) {
                throw new IllegalArgumentException(in + " already has a certificate (" + chain.get(0).getSubjectX500Principal().getName()
                        + "); --self-signed would replace it: leave it out");
            }
            if (!key.isPrivate()) {
                throw new IllegalArgumentException(in + " holds a public key only; a self-signed certificate needs the private key");
            }
            chain = List.of(certificate.make(key, CommandContext.clock(spec).instant()));
            key = KeyFiles.withCertificateChain(key, chain);
        }
        byte[] output;
        String what;
        boolean secret = key.isPrivate() && to != KeyFileFormat.jwks;
        switch (to) {
            case pem -> {
                output = ((key.isPrivate() ? KeyFiles.privateKeyPem(key, chars(outputPassword)) : KeyFiles.publicKeyPem(key))
                        + KeyFiles.certificatesPem(chain)).getBytes(StandardCharsets.US_ASCII);
                what = (key.isPrivate() ? (outputPassword != null ? "encrypted private key (PKCS#8 PEM)" : "private key (PKCS#8 PEM)")
                        : "public key (PEM)") + (chain.isEmpty() ? "" : " with " + chain.size() + " certificate(s)");
            }
            case jwk -> {
                output = (KeyJson.pretty(key.toJSONObject()) + "\n").getBytes(StandardCharsets.UTF_8);
                what = key.isPrivate() ? "private JWK" : "public JWK";
            }
            case jwks -> {
                output = (KeyJson.pretty(KeyJson.publicSet(key)) + "\n").getBytes(StandardCharsets.UTF_8);
                what = "public JWK Set";
            }
            default -> {
                output = pkcs12(key, chain, outputPassword);
                what = key.isPrivate() ? "PKCS#12 with the private key and " + chain.size() + " certificate(s)"
                        : "PKCS#12 with " + chain.size() + " certificate(s)";
            }
        }
        if (out == null) {
            spec.commandLine().getOut().print(new String(output, StandardCharsets.UTF_8));
            spec.commandLine().getOut().flush();
        } else {
            new OutputFiles().add(out, output, secret, what).write(force);
            spec.commandLine().getOut().println("wrote " + out + ": " + what + (secret ? ", mode 0600" : ""));
            spec.commandLine().getOut().flush();
        }
        return 0;
    }

    private byte[] pkcs12(JWK key, List<X509Certificate> chain, String password) throws GeneralSecurityException, JOSEException {
        String name = alias != null ? alias : key.getKeyID() != null ? key.getKeyID() : "key";
        if (chain.isEmpty()) {
            throw new IllegalArgumentException(key.isPrivate()
                    ? "PKCS#12 needs a certificate for the key and " + in + " has none: add --self-signed [--subject DN] to make one, "
                            + "or give a PEM file holding the key and its certificate"
                    : "PKCS#12 holds certificates, and " + in + " is a public key without one");
        }
        return key.isPrivate() ? KeyFiles.pkcs12(key, name, password.toCharArray())
                : KeyFiles.pkcs12Certificates(chain, name, password.toCharArray());
    }

    private void checkOptions() {
        if (to == KeyFileFormat.pkcs12 && out == null) {
            throw usage("--to pkcs12 writes a binary file: give --out FILE");
        }
        if (to == KeyFileFormat.pkcs12 && outPassword == null) {
            throw usage("--to pkcs12 needs --out-password");
        }
        if (outPassword != null && (to == KeyFileFormat.jwk || to == KeyFileFormat.jwks)) {
            throw usage("--out-password applies to --to pem and pkcs12 (a JWK cannot be encrypted here)");
        }
        certificate.check(spec, selfSigned, "--self-signed");
    }

    private static char[] chars(String s) {
        return s == null ? null : s.toCharArray();
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
