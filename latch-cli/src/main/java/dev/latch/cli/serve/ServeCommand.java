package dev.latch.cli.serve;

import dev.latch.cli.instance.InstanceOptions;
import dev.latch.core.crypto.CryptoProviders;
import dev.latch.server.LatchInstance;
import dev.latch.server.LatchServer;
import dev.latch.server.config.ServerConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code latch serve}: runs the authorization server until SIGTERM/SIGINT. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run the authorization server. Prints the issuer URL when ready; stops cleanly on SIGTERM.")
public final class ServeCommand implements Callable<Integer> {

    @Mixin
    InstanceOptions instance = new InstanceOptions();

    @Option(names = "--port", paramLabel = "N", description = "Public port (default 8080; 0 picks a free one).")
    Integer port;

    @Option(names = "--issuer", paramLabel = "URL", description = "Issuer identifier (default http://localhost:PORT).")
    String issuer;

    @Option(names = "--tls-cert", paramLabel = "PEM", description = "Serve HTTPS with this certificate chain (PEM).")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "PEM", description = "Private key of --tls-cert (PEM).")
    Path tlsKey;

    @Option(names = "--crypto", paramLabel = "MODE", description = "Crypto provider: auto (default), native (AWS-LC, or fail), jdk.")
    String crypto;

    @Option(names = "--management-port", paramLabel = "N", description = "Port of /healthz and /metrics on loopback (default port + 1000).")
    Integer managementPort;

    private final CountDownLatch stopped = new CountDownLatch(1);

    @Override
    public Integer call() throws Exception {
        Map<String, String> o = new LinkedHashMap<>();
        Integer p = port;
        if (p != null && p == 0) {
            p = LatchServer.freePort();
        }
        o.put("port", p == null ? null : p.toString());
        o.put("issuer", issuer);
        o.put("tls.cert", tlsCert == null ? null : tlsCert.toString());
        o.put("tls.key", tlsKey == null ? null : tlsKey.toString());
        o.put("crypto", crypto);
        Integer mp = managementPort;
        if (mp != null && mp == 0) {
            mp = LatchServer.freePort();
        }
        o.put("management.port", mp == null ? null : mp.toString());
        ServerConfig config = instance.load(o);
        CryptoProviders.select(CryptoProviders.Mode.parse(config.crypto()));
        LatchServer server = LatchServer.create(LatchInstance.open(config, Clock.systemUTC()));
        // Registered before the server listens: a SIGTERM that arrives once requests are served but before
        // a later registration would make addShutdownHook throw, skip close() and exit with status 1.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "latch-shutdown"));
        server.start();
        System.out.println("Latch is ready: issuer " + server.issuer()
                + " (management http://" + config.management().host() + ":" + server.managementPort() + ")");
        System.out.flush();
        stopped.await();
        return 0;
    }
}
