package dev.latch.cli.keys;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.JWK;
import dev.latch.cli.options.KeyFileInput;
import dev.latch.cli.options.SecretOptions;
import dev.latch.core.jose.KeyFiles;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code latch keys thumbprint FILE}: RFC 7638 JWK thumbprint, and x5t / x5t#S256 of a certificate. */
@Command(name = "thumbprint", mixinStandardHelpOptions = true,
        description = {"Print the thumbprints of a key or certificate file (PEM, DER, JWK, JWKS of one key, PKCS#12; private or public):",
                "  jwk-thumbprint  RFC 7638 JWK thumbprint, SHA-256, base64url (the usual kid)",
                "  x5t             SHA-1 of the certificate, base64url (RFC 7515 §4.1.7), when the file has a certificate",
                "  x5t#S256        SHA-256 of the certificate, base64url (RFC 7515 §4.1.8)",
                "Each line is 'label: value'."},
        footer = {"", "Example:", "  latch keys thumbprint client.crt.pem",
                "", "Exit codes: 0 printed, 1 the file cannot be read, 2 usage error."})
public final class ThumbprintCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "Key or certificate file.")
    Path file;

    @Option(names = "--key-password", paramLabel = "SECRET",
            description = "Password of an encrypted PEM or PKCS#12 file: $${env:NAME}, $${file:PATH} or - (standard input).")
    String keyPassword;

    @Override
    public Integer call() throws GeneralSecurityException, JOSEException {
        JWK key = KeyFileInput.read(file, SecretOptions.resolve(spec, "--key-password", keyPassword));
        PrintWriter out = spec.commandLine().getOut();
        out.println("jwk-thumbprint: " + key.computeThumbprint());
        if (key.getKeyID() != null && !key.getKeyID().equals(key.computeThumbprint().toString())) {
            out.println("kid: " + key.getKeyID());
        }
        List<X509Certificate> chain = KeyFiles.certificates(key);
        if (!chain.isEmpty()) {
            out.println("x5t: " + KeyFiles.x5t(chain.get(0)));
            out.println("x5t#S256: " + KeyFiles.x5tS256(chain.get(0)));
            out.println("certificate: " + chain.get(0).getSubjectX500Principal().getName());
        }
        out.flush();
        return 0;
    }
}
