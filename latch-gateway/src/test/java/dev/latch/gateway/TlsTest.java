package dev.latch.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import dev.latch.core.jose.KeyFiles;
import dev.latch.core.jose.KeyGeneration;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The public listener serves TLS from a PEM certificate chain and key; X-Forwarded-Proto says https. */
class TlsTest {

    @TempDir
    Path dir;

    @Test
    void tlsFromPemThenHttpsServedAndUpstreamToldProtoHttps() throws Exception {
        JWK key = KeyGeneration.generate(JWSAlgorithm.ES256);
        X509Certificate cert = KeyGeneration.selfSignedCertificate(key, "CN=localhost", Instant.now().minusSeconds(60), Instant.now().plusSeconds(3600));
        Path certFile = dir.resolve("cert.pem");
        Path keyFile = dir.resolve("key.pem");
        Files.writeString(certFile, KeyFiles.certificatesPem(List.of(cert)));
        Files.writeString(keyFile, KeyFiles.privateKeyPem(key, null));
        try (EchoUpstream upstream = EchoUpstream.start();
             TestGateway gateway = TestGateway.start("""
                     tls: { cert: %s, key: %s }
                     routes:
                       - path: /
                         upstream: %s
                         mode: passthrough
                     """.formatted(certFile, keyFile, upstream.url()))) {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("gateway", cert);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, tmf.getTrustManagers(), null);
            HttpClient client = HttpClient.newBuilder().sslContext(ssl).build();
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + gateway.server().port() + "/x")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(EchoUpstream.headersOf(EchoUpstream.parse(r.body())).get("x-forwarded-proto")).isEqualTo("https");
            assertThat(gateway.server().url()).startsWith("https://");
        }
    }
}
