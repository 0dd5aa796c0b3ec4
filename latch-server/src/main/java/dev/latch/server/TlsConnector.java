package dev.latch.server;

import com.nimbusds.jose.JOSEException;
import dev.latch.core.jose.KeyFiles;
import dev.latch.server.config.ServerConfig;
import io.javalin.config.JavalinConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/** Serves HTTPS directly from a PEM certificate chain and private key ({@code --tls-cert}, {@code --tls-key}). */
final class TlsConnector {

    private TlsConnector() {}

    static void configure(JavalinConfig config, ServerConfig.Tls tls, int port) {
        KeyStore keyStore = keyStore(tls);
        config.jetty.modifyServer(server -> {
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setKeyStore(keyStore);
            ssl.setKeyStorePassword("latch");
            var https = new org.eclipse.jetty.server.HttpConfiguration();
            https.addCustomizer(new SecureRequestCustomizer(false));
            ServerConnector connector = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"),
                    new HttpConnectionFactory(https));
            connector.setPort(port);
            server.setConnectors(new org.eclipse.jetty.server.Connector[] {connector});
        });
    }

    static KeyStore keyStore(ServerConfig.Tls tls) {
        try {
            List<X509Certificate> chain = KeyFiles.readCertificates(Files.readString(tls.cert()));
            if (chain.isEmpty()) {
                throw new IllegalArgumentException("--tls-cert " + tls.cert() + ": no certificate found");
            }
            var jwk = KeyFiles.readPrivateKey(tls.key(), null);
            PrivateKey key = switch (jwk.getKeyType().getValue()) {
                case "RSA" -> jwk.toRSAKey().toPrivateKey();
                case "EC" -> jwk.toECKey().toPrivateKey();
                default -> throw new IllegalArgumentException("--tls-key: only RSA and EC keys serve TLS");
            };
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("latch", key, "latch".toCharArray(), chain.toArray(new X509Certificate[0]));
            return ks;
        } catch (IOException | GeneralSecurityException | JOSEException e) {
            throw new IllegalArgumentException("--tls-cert/--tls-key: " + e.getMessage(), e);
        }
    }
}
