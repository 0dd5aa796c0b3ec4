package dev.latch.cli.keys;

import dev.latch.server.audit.Audit;
import dev.latch.server.audit.AuditEvent;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import dev.latch.cli.instance.InstanceOptions;
import dev.latch.cli.options.SecretOptions;
import dev.latch.core.jose.JwsAlgorithms;
import dev.latch.core.jose.KeyFiles;
import dev.latch.server.LatchInstance;
import dev.latch.server.keys.KeyImport;
import dev.latch.server.keys.SigningKey;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code latch keys import FILE --alg ALG}. */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = {"Import an existing private key as the next signing key of an algorithm, scheduled like `latch keys rotate`.",
                "FILE is PEM (PKCS#1, PKCS#8, encrypted PKCS#8, SEC1 EC; certificates may follow the key), PKCS#12, or a private JWK. "
                        + "With a certificate, the published JWK carries x5c and x5t#S256; the certificate must be for the key."})
public final class ImportKeyCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    InstanceOptions instance = new InstanceOptions();

    @Parameters(index = "0", paramLabel = "FILE", description = "The key file.")
    Path file;

    @Option(names = "--alg", required = true, paramLabel = "ALG",
            description = "The algorithm the key will sign with; it must fit the key (RSA ≥ 2048 bits: RS*/PS*; P-256: ES256; "
                    + "P-384: ES384; P-521: ES512; Ed25519: Ed25519/EdDSA).")
    String alg;

    @Option(names = "--key-password", paramLabel = "SECRET",
            description = "Password of an encrypted PEM or PKCS#12 file: $${env:NAME}, $${file:PATH} or - (standard input); "
                    + "a literal works but shows in the process list.")
    String keyPassword;

    @Option(names = "--immediately",
            description = "The key signs now and the algorithm's other keys leave the JWKS now (as `keys rotate --immediately`).")
    boolean immediately;

    @Option(names = {"-q", "--quiet"}, description = "Print only the key's kid.")
    boolean quiet;

    @Override
    public Integer call() {
        JWSAlgorithm algorithm = JwsAlgorithms.asymmetric(alg);
        String password = SecretOptions.resolve(spec, "--key-password", keyPassword);
        JWK read;
        try {
            read = KeyFiles.readPrivateKey(file, password == null ? null : password.toCharArray());
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": no such file");
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage().startsWith(file.toString()) ? e.getMessage() : file + ": " + e.getMessage());
        }
        JWK key;
        try {
            key = KeyImport.prepare(read, algorithm);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage());
        }
        try (LatchInstance latch = instance.open(true)) {
            SigningKey imported = latch.keyRing().rotate(algorithm, key, immediately);
            Audit.success(AuditEvent.KEY_IMPORT).cli().kid(imported.kid()).alg(imported.alg().getName()).file(file.toString())
                    .reason(immediately ? "immediately" : "scheduled").write();
            KeyReport.scheduled(spec, imported, "imported", immediately, quiet);
        }
        return 0;
    }
}
