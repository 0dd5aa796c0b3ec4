package dev.latch.client.mail;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jwt.SignedJWT;
import dev.latch.client.auth.ProviderPresets;
import dev.latch.client.keys.KeyLoader;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The guide's Java blocks are the compiled code of {@link Office365MailExample}, verbatim. */
class GuideExampleTest {

    @Test
    void guideJavaBlocksAreTheCompiledExample() throws IOException {
        String guide = Files.readString(Path.of("../docs/guides/office365-mail.md"));
        String example = Files.readString(Path.of("src/test/java/dev/latch/client/mail/Office365MailExample.java"));

        List<String> shown = new ArrayList<>();
        Matcher block = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(guide);
        while (block.find()) {
            shown.add(block.group(1).strip());
        }
        List<String> compiled = new ArrayList<>();
        Matcher region = Pattern.compile("// guide:start\\n(.*?)\\n\\s*// guide:end", Pattern.DOTALL).matcher(example);
        while (region.find()) {
            compiled.add(region.group(1).stripIndent().strip());
        }
        assertThat(compiled).hasSize(2);
        assertThat(shown).isEqualTo(compiled);
    }

    /** The guide's openssl commands make a file the Entra certificate preset signs with, carrying x5t#S256. */
    @Test
    void guideShellStepsMakeAKeyFileTheEntraPresetAccepts(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")), "openssl is not installed");
        String guide = Files.readString(Path.of("../docs/guides/office365-mail.md"));
        Matcher sh = Pattern.compile("```sh\\n(.*?)```", Pattern.DOTALL).matcher(guide);
        assertThat(sh.find()).isTrue();
        Process p = new ProcessBuilder("bash", "-euo", "pipefail", "-c", sh.group(1).stripIndent())
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
