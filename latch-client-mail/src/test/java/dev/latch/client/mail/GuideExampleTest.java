package dev.latch.client.mail;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jwt.SignedJWT;
import dev.latch.client.auth.ProviderPresets;
import dev.latch.client.docs.DocExamples;
import dev.latch.client.keys.KeyLoader;
import dev.latch.server.RealPart;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The guide's Java blocks are the compiled code of {@link Office365MailExample}, verbatim; its shell steps make a key file the Entra preset takes. */
class GuideExampleTest {

    @Test
    void guideJavaBlocksAreTheCompiledExample() {
        DocExamples.assertPageShowsExactly("docs/guides/office365-mail.md",
                "latch-client-mail/src/test/java/dev/latch/client/mail/Office365MailExample.java");
    }

    /** The guide's openssl commands make a file the Entra certificate preset signs with, carrying x5t#S256. */
    @Test
    void guideShellStepsMakeAKeyFileTheEntraPresetAccepts(@TempDir Path dir) throws Exception {
        RealPart.require(Files.isExecutable(Path.of("/usr/bin/openssl")), "openssl is not installed (Debian: apt-get install openssl)");
        Process p = new ProcessBuilder("bash", "-euo", "pipefail", "-c", DocExamples.shellBlocks("docs/guides/office365-mail.md").get(0))
                .directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(output).isZero();

        JWK key = KeyLoader.load(dir.resolve("entra.pem").toString(), null);
        assertThat(key.getX509CertChain()).hasSize(1);
        URI tokenUrl = ProviderPresets.entraIdTokenEndpoint("contoso.onmicrosoft.com");
        SignedJWT assertion = SignedJWT.parse(ProviderPresets.entraIdCertificate("app-id", key).build()
                .sign(ProviderPresets.entraIdIssuer("contoso.onmicrosoft.com"), tokenUrl));
        assertThat(assertion.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.PS256);
        assertThat(assertion.getHeader().getX509CertSHA256Thumbprint()).isNotNull();
        assertThat(assertion.getJWTClaimsSet().getAudience()).containsExactly(tokenUrl.toString());
        assertThat(Files.exists(dir.resolve("mailer.key"))).as("the loose private key is removed").isFalse();
    }
}
