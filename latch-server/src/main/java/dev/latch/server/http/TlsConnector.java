package dev.latch.server.http;

import io.javalin.config.JavalinConfig;
import java.security.KeyStore;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/** Serves HTTPS directly from a key store made of a PEM certificate chain and private key ({@code --tls-cert}, {@code --tls-key}). */
final class TlsConnector {

    private TlsConnector() {}

    static void configure(JavalinConfig config, KeyStore keyStore, int port) {
        config.jetty.modifyServer(server -> {
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setKeyStore(keyStore);
            ssl.setKeyStorePassword(new String(dev.latch.core.jose.TlsKeyStore.PASSWORD));
            var https = new org.eclipse.jetty.server.HttpConfiguration();
            https.addCustomizer(new SecureRequestCustomizer(false));
            ServerConnector connector = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"),
                    new HttpConnectionFactory(https));
            connector.setPort(port);
            server.setConnectors(new org.eclipse.jetty.server.Connector[] {connector});
        });
    }
}
