package dev.latch.client.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.latch.client.LocalEndpoint;
import dev.latch.client.LocalEndpoint.Answer;
import dev.latch.client.OAuthClientException;
import dev.latch.client.auth.ClientAuthentication;
import dev.latch.client.token.CachingTokenSource;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The bearer HTTP helper against a real token source and local resource servers. */
class BearerHttpClientTest {

    LocalEndpoint as;
    LocalEndpoint api;
    CachingTokenSource tokens;
    BearerHttpClient client;
    final AtomicInteger issued = new AtomicInteger();

    @BeforeEach
    void start() {
        as = LocalEndpoint.start();
        api = LocalEndpoint.start();
        as.on("/token", r -> Answer.json(200, "{\"access_token\":\"at-" + issued.incrementAndGet() + "\",\"token_type\":\"Bearer\",\"expires_in\":3600}"));
        tokens = CachingTokenSource.builder().tokenEndpoint(as.url("/token")).authentication(ClientAuthentication.clientSecretBasic("c", "s"))
                .proactiveRefresh(false).build();
        client = BearerHttpClient.builder().tokenSource(tokens).build();
    }

    @AfterEach
    void stop() {
        tokens.close();
        as.close();
        api.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(api.url(path)).header("Authorization", "Basic c3B5OnNweQ==").GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void attachesTheBearerTokenInPlaceOfAnyOtherAuthorization() throws Exception {
        api.on("/data", new Answer(200, Map.of(), "ok"));
        assertThat(get("/data").body()).isEqualTo("ok");
        assertThat(api.last().headers().get("Authorization")).containsExactly("Bearer at-1");
    }

    @Test
    void sameOriginRedirectFollowedWithTheToken() throws Exception {
        api.on("/old", new Answer(302, Map.of("Location", "/new?x=1"), ""));
        api.on("/new", new Answer(200, Map.of(), "moved"));
        HttpResponse<String> r = get("/old");
        assertThat(r.body()).isEqualTo("moved");
        assertThat(api.requests()).extracting(x -> x.uri().toString()).containsExactly("/old", "/new?x=1");
        assertThat(api.last().header("Authorization")).isEqualTo("Bearer at-1");
    }

    @Test
    void redirectToAnotherOriginRefusedAndNothingSentThere() throws Exception {
        try (LocalEndpoint elsewhere = LocalEndpoint.start()) {
            elsewhere.on("/grab", new Answer(200, Map.of(), "gotcha"));
            api.on("/data", new Answer(307, Map.of("Location", elsewhere.url("/grab").toString()), ""));
            assertThatThrownBy(() -> get("/data")).isInstanceOf(OAuthClientException.class)
                    .hasMessage("refused to follow a redirect from " + api.origin() + " to " + elsewhere.origin()
                            + ": the request carries a bearer token");
            assertThat(elsewhere.count()).isZero();
        }
    }

    @Test
    void originIsSchemeHostAndPort() {
        assertThat(BearerHttpClient.sameOrigin(URI.create("https://api.example/a"), URI.create("https://API.example:443/b"))).isTrue();
        assertThat(BearerHttpClient.sameOrigin(URI.create("https://api.example/a"), URI.create("http://api.example/a"))).isFalse();
        assertThat(BearerHttpClient.sameOrigin(URI.create("https://api.example/a"), URI.create("https://api.example:8443/a"))).isFalse();
        assertThat(BearerHttpClient.sameOrigin(URI.create("https://api.example/a"), URI.create("https://evil.example/a"))).isFalse();
    }

    @Test
    void seeOtherAfterPostBecomesGetWithoutBodyAnd307KeepsMethodAndBody() throws Exception {
        api.on("/submit", new Answer(303, Map.of("Location", "/result"), ""));
        api.on("/result", new Answer(200, Map.of(), "done"));
        client.send(HttpRequest.newBuilder(api.url("/submit")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"a\":1}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(api.last().method()).isEqualTo("GET");
        assertThat(api.last().body()).isEmpty();

        api.on("/put", new Answer(307, Map.of("Location", "/put2"), ""));
        api.on("/put2", new Answer(204, Map.of(), ""));
        client.send(HttpRequest.newBuilder(api.url("/put")).POST(HttpRequest.BodyPublishers.ofString("payload")).build(),
                HttpResponse.BodyHandlers.discarding());
        assertThat(api.last().method()).isEqualTo("POST");
        assertThat(api.last().body()).isEqualTo("payload");
    }

    @Test
    void tooManyRedirectsThenRefused() {
        api.on("/loop", new Answer(302, Map.of("Location", "/loop"), ""));
        assertThatThrownBy(() -> get("/loop")).isInstanceOf(OAuthClientException.class).hasMessageContaining("more than 5 redirects");
        assertThat(api.count()).isEqualTo(6);
    }

    @Test
    void invalidTokenThenRefreshedOnceAndRetriedOnce() throws Exception {
        api.on("/data", r -> "Bearer at-1".equals(r.header("Authorization"))
                ? new Answer(401, Map.of("WWW-Authenticate", "Bearer realm=\"api\", error=\"invalid_token\", error_description=\"revoked\""), "")
                : new Answer(200, Map.of(), "fresh"));

        assertThat(get("/data").body()).isEqualTo("fresh");
        assertThat(api.requests()).extracting(r -> r.header("Authorization")).containsExactly("Bearer at-1", "Bearer at-2");
        assertThat(as.count()).isEqualTo(2);
        assertThat(tokens.accessToken()).isEqualTo("at-2");
    }

    @Test
    void invalidTokenAgainAfterTheRetryThenThe401IsReturned() throws Exception {
        api.on("/data", new Answer(401, Map.of("WWW-Authenticate", "Bearer error=\"invalid_token\""), ""));
        assertThat(get("/data").statusCode()).isEqualTo(401);
        assertThat(api.count()).isEqualTo(2);
        assertThat(as.count()).isEqualTo(2);
    }

    @Test
    void otherChallengesAreNotRetried() throws Exception {
        api.on("/a", new Answer(401, Map.of("WWW-Authenticate", "Bearer realm=\"api\""), ""));
        api.on("/b", new Answer(403, Map.of("WWW-Authenticate", "Bearer error=\"insufficient_scope\""), ""));
        api.on("/c", new Answer(401, Map.of("WWW-Authenticate", "Basic realm=\"error=invalid_token\""), ""));
        assertThat(get("/a").statusCode()).isEqualTo(401);
        assertThat(get("/b").statusCode()).isEqualTo(403);
        assertThat(get("/c").statusCode()).isEqualTo(401);
        assertThat(api.count()).isEqualTo(3);
        assertThat(as.count()).isEqualTo(1);
    }

    @Test
    void streamedBodyOfUnknownLengthIsNotReplayed() throws Exception {
        api.on("/upload", new Answer(401, Map.of("WWW-Authenticate", "Bearer error=\"invalid_token\""), ""));
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(api.url("/upload"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream("data".getBytes()))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(api.count()).isEqualTo(1);
    }

    @Test
    void redirectToSomethingThatIsNotAUrlThenTypedException() {
        api.on("/odd", new Answer(302, Map.of("Location", "http://bad host/x y"), ""));
        assertThatThrownBy(() -> get("/odd")).isExactlyInstanceOf(OAuthClientException.class)
                .hasMessage(api.url("/odd") + " answered a redirect (302) to http://bad host/x y, which is not a URL; it is not followed");
        api.on("/ftp", new Answer(302, Map.of("Location", "ftp://" + api.url("/").getAuthority() + "/f"), ""));
        assertThatThrownBy(() -> get("/ftp")).isExactlyInstanceOf(OAuthClientException.class).hasMessageContaining("refused to follow a redirect");
    }

    @Test
    void anHttpClientThatFollowsRedirectsItselfIsRefused() {
        assertThatThrownBy(() -> BearerHttpClient.builder().httpClient(HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Redirect.NEVER");
    }
}
