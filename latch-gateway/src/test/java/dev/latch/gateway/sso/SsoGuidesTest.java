package dev.latch.gateway.sso;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jwt.SignedJWT;
import dev.latch.client.auth.ClientAssertion;
import dev.latch.client.auth.ClientAuthentication;
import dev.latch.client.docs.DocExamples;
import dev.latch.core.jose.KeyFiles;
import dev.latch.core.jose.KeyGeneration;
import dev.latch.core.secret.SecretReference;
import dev.latch.gateway.config.GatewayConfig;
import dev.latch.gateway.config.GatewayConfigException;
import dev.latch.gateway.config.GatewayConfigLoader;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway configurations the sso guides show are ones the gateway accepts: every {@code ```yaml} block of
 * {@code docs/guides/keycloak-sso.md} and {@code entra-id-sso.md}, and every {@code <<'YAML'} here-document of
 * their {@code ```sh} blocks (the file the runnable Keycloak guide writes and {@code --check}s), loaded
 * through {@link GatewayConfigLoader} with the secrets they reference set, must load without a problem, and
 * each must have an sso route. Key files a block names are made here (a PKCS#12 with a certificate, as Entra
 * ID's certificate credentials need) and the block's path is pointed at them.
 */
class SsoGuidesTest {

    static final List<String> GUIDES = List.of("docs/guides/keycloak-sso.md", "docs/guides/entra-id-sso.md");
    static final Pattern HEREDOC = Pattern.compile("<<'YAML'\\n(.*?)\\nYAML\\n", Pattern.DOTALL);
    /** The key files the guides name, pointed at a generated PKCS#12 (password in ENTRA_CERT_PASSWORD). */
    static final List<String> KEY_FILES = List.of("/etc/latch/portal-entra.p12");

    @TempDir
    Path dir;

    final Map<String, String> env = new HashMap<>();
    Path p12;

    @BeforeEach
    void secretsAndKeys() throws Exception {
        env.put("PORTAL_SECRET", "portal-secret-0123456789");
        env.put("GATEWAY_COOKIE_SECRET", "cookie-secret-0123456789-abcdefghijklmnop");
        env.put("GATEWAY_COOKIE_SECRET_OLD", "old-cookie-secret-0123456789-abcdefghijklmnop");
        env.put("ENTRA_CLIENT_SECRET", "entra~secret.0123456789");
        env.put("ENTRA_CERT_PASSWORD", "p12-password");
        JWK key = KeyGeneration.rsa(2048);
        JWK withCert = KeyFiles.withCertificateChain(key, List.of(KeyGeneration.selfSignedCertificate(key, "CN=portal",
                Instant.now().minusSeconds(60), Instant.now().plus(Duration.ofDays(1)))));
        p12 = Files.write(dir.resolve("portal-entra.p12"), KeyFiles.pkcs12(withCert, "portal", "p12-password".toCharArray()));
    }

    /** The YAML blocks and here-documents of a guide, in order. */
    static List<String> configurations(String guide) {
        List<String> out = new ArrayList<>(DocExamples.fencedBlocks(guide, "yaml"));
        for (String shell : DocExamples.shellBlocks(guide)) {
            Matcher m = HEREDOC.matcher(shell);
            while (m.find()) {
                out.add(m.group(1) + "\n");
            }
        }
        return out;
    }

    GatewayConfig load(String yaml, String name) throws Exception {
        for (String keyFile : KEY_FILES) {
            yaml = yaml.replace(keyFile, p12.toString());
        }
        Path file = Files.writeString(dir.resolve(name), yaml);
        GatewayConfigLoader loader = new GatewayConfigLoader(env::get, new SecretReference(env::get, InputStream::nullInputStream));
        try {
            return loader.load(file, Map.of());
        } catch (GatewayConfigException e) {
            return fail("%s is refused by the gateway:%n%s%n--- the block:%n%s", name, String.join("\n", e.problems()), yaml);
        }
    }

    @Test
    void everyConfigurationTheSsoGuidesShowLoadsWithAnSsoRoute() throws Exception {
        for (String guide : GUIDES) {
            List<String> blocks = configurations(guide);
            assertThat(blocks).as("the gateway configurations of %s", guide).isNotEmpty();
            for (int i = 0; i < blocks.size(); i++) {
                GatewayConfig config = load(blocks.get(i), Path.of(guide).getFileName() + "-" + (i + 1) + ".yaml");
                assertThat(config.routes()).as("%s, configuration %d", guide, i + 1).anySatisfy(r -> assertThat(r.sso()).isNotNull());
            }
        }
    }

    @Test
    void keycloakGuideIsTheContractShape() throws Exception {
        List<String> blocks = configurations("docs/guides/keycloak-sso.md");
        GatewayConfig.Sso sso = load(blocks.getFirst(), "keycloak.yaml").routes().getFirst().sso();
        assertThat(sso.issuer()).hasToString("http://localhost:8180/realms/estate");
        assertThat(sso.authentication().clientId()).isEqualTo("estate-portal");
        assertThat(sso.scopes()).containsExactly("openid", "profile", "email");
        assertThat(sso.allowedRoles()).containsExactly("staff");
        assertThat(sso.prefix()).isEqualTo("/oauth2/");
    }

    @Test
    void entraGuideCertificateCredentialSignsPs256() throws Exception {
        List<String> blocks = configurations("docs/guides/entra-id-sso.md");
        List<ClientAuthentication> keys = new ArrayList<>();
        for (int i = 0; i < blocks.size(); i++) {
            for (GatewayConfig.Route route : load(blocks.get(i), "entra-" + i + ".yaml").routes()) {
                if (route.sso() != null && route.sso().authentication() instanceof ClientAuthentication.PrivateKeyJwt) {
                    keys.add(route.sso().authentication());
                }
            }
        }
        assertThat(keys).as("a configuration with a certificate credential").isNotEmpty();
        URI issuer = URI.create("https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0");
        URI tokenUrl = URI.create("https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/oauth2/v2.0/token");
        for (ClientAuthentication key : keys) {
            ClientAssertion assertion = ((ClientAuthentication.PrivateKeyJwt) key).assertion();
            assertThat(assertion.algorithm()).isEqualTo(JWSAlgorithm.PS256);
            // preset: entra — aud is the token URL and the certificate's thumbprint is in x5t#S256, as Entra ID requires
            SignedJWT jwt = SignedJWT.parse(assertion.sign(issuer, tokenUrl));
            assertThat(jwt.getJWTClaimsSet().getAudience()).containsExactly(tokenUrl.toString());
            assertThat(jwt.getHeader().getX509CertSHA256Thumbprint()).isNotNull();
        }
    }
}
