package dev.latch.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --tls-cert}/{@code --tls-key}: Latch serves HTTPS itself, with an https issuer. */
class TlsServerTest {

    @TempDir
    Path dir;

    @Test
    void servesHttpsWithThePemCertificateAndAnHttpsIssuer() throws Exception {
        JWK key = TestKeys.generate(JWSAlgorithm.RS256, "tls");
        X509Certificate cert = localhostCertificate(key.toRSAKey().toKeyPair());
        Path certFile = dir.resolve("cert.pem");
        Path keyFile = dir.resolve("key.pem");
        Files.writeString(certFile, pem(cert));
        Files.writeString(keyFile, pem(key.toRSAKey().toPrivateKey()));

        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("latch", cert);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        HttpClient https = HttpClient.newBuilder().sslContext(ssl).build();

        try (TestServer server = TestServer.start(Map.of("tls.cert", certFile.toString(), "tls.key", keyFile.toString()))) {
            assertThat(server.issuer()).startsWith("https://localhost:");
            HttpResponse<String> metadata = https.send(HttpRequest.newBuilder(
                    URI.create(server.url("/.well-known/oauth-authorization-server"))).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(metadata.statusCode()).isEqualTo(200);
            assertThat(metadata.body()).contains("\"token_endpoint\":\"" + server.issuer() + "/token\"");
            HttpResponse<String> plain = null;
            try {
                plain = TestServer.HTTP.send(HttpRequest.newBuilder(URI.create(server.url("/jwks").replace("https:", "http:"))).build(),
                        HttpResponse.BodyHandlers.ofString());
            } catch (java.io.IOException expected) {
                // plain http on the TLS port is not served
            }
            assertThat(plain == null || plain.statusCode() >= 400).as("plain http must not be served").isTrue();
        }
    }

    private static X509Certificate localhostCertificate(java.security.KeyPair pair) throws Exception {
        var name = new org.bouncycastle.asn1.x500.X500Name("CN=localhost");
        var builder = new org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder(name, java.math.BigInteger.TWO,
                new java.util.Date(System.currentTimeMillis() - 60_000), new java.util.Date(System.currentTimeMillis() + 86_400_000L),
                name, pair.getPublic());
        builder.addExtension(org.bouncycastle.asn1.x509.Extension.subjectAlternativeName, false,
                new org.bouncycastle.asn1.x509.GeneralNames(new org.bouncycastle.asn1.x509.GeneralName(
                        org.bouncycastle.asn1.x509.GeneralName.dNSName, "localhost")));
        var holder = builder.build(new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withRSA").build(pair.getPrivate()));
        return new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter().getCertificate(holder);
    }

    private static String pem(Object o) throws Exception {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
            pw.writeObject(o);
        }
        return w.toString();
    }
}
