package dev.latch.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.latch.client.docs.DocExamples;
import dev.latch.core.secret.SecretReference;
import dev.latch.server.TestServer;
import dev.latch.server.client.Client;
import dev.latch.server.config.ConfigLoader;
import dev.latch.server.config.ServerConfig;
import dev.latch.server.resource.TokenProfile;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Latch's tokens at a real Spring Boot 4 resource server configured as
 * docs/guides/protect-a-spring-boot-api.md shows it — only
 * {@code spring.security.oauth2.resourceserver.jwt.issuer-uri} — against a Latch configured with the
 * guide's YAML: refused under the {@code rfc9068} profile ({@code typ: at+jwt}) exactly as users meet
 * it, accepted under the {@code jwt} profile.
 */
class SpringBootResourceServerTest {

    static final String GUIDE = "docs/guides/protect-a-spring-boot-api.md";
    static final String ISSUER_URI = "spring.security.oauth2.resourceserver.jwt.issuer-uri";
    /** The guide's API, which its YAML gives the jwt profile. */
    static final String SPRING_API = "https://api.example.org";
    /** An API without a profile of its own: the default, rfc9068. */
    static final String RFC9068_API = "https://rfc9068-api.example";
    /** Another API given the jwt profile from the command line (the guide's step 5). */
    static final String OTHER_JWT_API = "https://reports.example.org";
    static final String SPRING_REFUSAL = "the given typ value needs to be one of [JWT]";
    static final ObjectMapper JSON = new ObjectMapper();

    static TestServer latch;
    static ConfigurableApplicationContext issuerOnly;
    static ConfigurableApplicationContext withAudience;
    static String secret;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        ServerConfig guideConfig = guideLatchConfig(dir);
        Map<String, String> settings = new HashMap<>();
        settings.put("tokens.default-profile", guideConfig.tokens().defaultProfile().configName());
        for (int i = 0; i < guideConfig.resources().size(); i++) {
            settings.put("resources." + i + ".uri", guideConfig.resources().get(i).uri());
            settings.put("resources." + i + ".token-profile", guideConfig.resources().get(i).tokenProfile().configName());
        }
        latch = TestServer.start(settings);
        latch.instance().resources().put(OTHER_JWT_API, TokenProfile.JWT);
        secret = latch.register(new Client.Builder().clientId("reporting-job").scope("reports.read")
                .allowedResources(List.of(SPRING_API, RFC9068_API, OTHER_JWT_API)).build()).clientSecret();
        issuerOnly = springApi(guideProperties(0));
        withAudience = springApi(guideProperties(1));
    }

    @AfterAll
    static void stop() {
        if (withAudience != null) withAudience.close();
        if (issuerOnly != null) issuerOnly.close();
        if (latch != null) latch.close();
    }

    /** The guide's Latch configuration: the YAML its first shell step writes. */
    private static ServerConfig guideLatchConfig(Path dir) throws IOException {
        Matcher yaml = Pattern.compile("<<'EOF'\\n(.*?)\\nEOF\\n", Pattern.DOTALL).matcher(DocExamples.shellBlocks(GUIDE).get(0));
        assertThat(yaml.find()).as("the guide writes its YAML with a here-document").isTrue();
        Path file = Files.writeString(dir.resolve("spring-guide.yaml"), yaml.group(1));
        return new ConfigLoader(name -> null, SecretReference.system()).load(file, Map.of());
    }

    /** The guide's {@code application.properties} block {@code index}, with this test's Latch as issuer. */
    private static Map<String, Object> guideProperties(int index) {
        Properties p = new Properties();
        try {
            p.load(new StringReader(DocExamples.fencedBlocks(GUIDE, "properties").get(index)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertThat(p.getProperty(ISSUER_URI)).isEqualTo("http://localhost:9000");
        Map<String, Object> properties = new LinkedHashMap<>();
        p.stringPropertyNames().forEach(k -> properties.put(k, p.getProperty(k)));
        properties.put(ISSUER_URI, latch.issuer());
        properties.put("server.port", "0");
        return properties;
    }

    private static ConfigurableApplicationContext springApi(Map<String, Object> properties) {
        return new SpringApplicationBuilder(ProtectedApi.class).properties(properties).run();
    }

    private static String url(ConfigurableApplicationContext api) {
        return "http://127.0.0.1:" + ((WebServerApplicationContext) api).getWebServer().getPort() + "/hello";
    }

    private static String token(String resource) throws Exception {
        String basic = Base64.getEncoder().encodeToString(("reporting-job:" + secret).getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> r = latch.postForm("/token", "grant_type=client_credentials&scope=reports.read&resource="
                + URLEncoder.encode(resource, StandardCharsets.UTF_8), "Authorization", "Basic " + basic);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).get("access_token").asText();
    }

    private static HttpResponse<String> call(ConfigurableApplicationContext api, String token) {
        return TestServer.send(HttpRequest.newBuilder(URI.create(url(api))).header("Authorization", "Bearer " + token).GET().build());
    }

    private static String challenge(HttpResponse<String> r) {
        return r.headers().firstValue("WWW-Authenticate").orElse("");
    }

    @Test
    void theGuideConfiguresSpringWithTheIssuerOnlyAndShowsTheTestedController() {
        assertThat(guideProperties(0)).containsOnlyKeys(ISSUER_URI, "server.port");
        DocExamples.assertPageShowsExactly(GUIDE, "latch-spring-test/src/test/java/dev/latch/spring/ProtectedApi.java");
    }

    @Test
    void springAcceptsATokenForAResourceWithTheJwtProfile() throws Exception {
        HttpResponse<String> r = call(issuerOnly, token(SPRING_API));
        assertThat(r.statusCode()).as(challenge(r)).isEqualTo(200);
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.get("subject").asText()).isEqualTo("reporting-job");
        assertThat(body.get("client_id").asText()).isEqualTo("reporting-job");
        assertThat(body.get("scope").asText()).isEqualTo("reports.read");
    }

    @Test
    void springRefusesAnRfc9068TokenWithItsTypMessage() throws Exception {
        HttpResponse<String> r = call(issuerOnly, token(RFC9068_API));
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(challenge(r)).startsWith("Bearer error=\"invalid_token\", error_description=\"An error occurred while attempting "
                + "to decode the Jwt: " + SPRING_REFUSAL + "\", error_uri=\"https://tools.ietf.org/html/rfc6750#section-3.1\"");
    }

    @Test
    void springRefusesATokenForTwoAudiencesUnlessBothAreJwt() throws Exception {
        String basic = Base64.getEncoder().encodeToString(("reporting-job:" + secret).getBytes(StandardCharsets.UTF_8));
        for (String second : List.of(OTHER_JWT_API, RFC9068_API)) {
            HttpResponse<String> t = latch.postForm("/token", "grant_type=client_credentials&resource=" + URLEncoder.encode(SPRING_API,
                    StandardCharsets.UTF_8) + "&resource=" + URLEncoder.encode(second, StandardCharsets.UTF_8), "Authorization", "Basic " + basic);
            HttpResponse<String> r = call(issuerOnly, JSON.readTree(t.body()).get("access_token").asText());
            assertThat(r.statusCode()).as(second + ": " + challenge(r)).isEqualTo(second.equals(OTHER_JWT_API) ? 200 : 401);
        }
    }

    @Test
    void springRefusesRequestsWithoutAToken() {
        HttpResponse<String> r = TestServer.send(HttpRequest.newBuilder(URI.create(url(issuerOnly))).GET().build());
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(challenge(r)).startsWith("Bearer").doesNotContain("error=");
    }

    @Test
    void withTheAudiencePropertySpringAcceptsOnlyTheApisOwnTokens() throws Exception {
        assertThat(call(withAudience, token(SPRING_API)).statusCode()).isEqualTo(200);
        HttpResponse<String> other = call(withAudience, token(OTHER_JWT_API));
        assertThat(other.statusCode()).isEqualTo(401);
        assertThat(challenge(other)).contains("error_description=\"An error occurred while attempting to decode the Jwt: The aud claim is not valid\"");
    }
}
