package dev.latch.server;

import dev.latch.core.crypto.CryptoProviders;
import dev.latch.server.config.ConfigLoader;
import dev.latch.server.config.ServerConfig;
import java.io.IOException;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A Latch server in a process of its own, for tests that need two real nodes (what {@code latch
 * serve} does, without needing the packaged jar). Arguments are settings as {@code name=value}, and
 * {@value #CONFIG_FILE}{@code =PATH} names a YAML configuration file (as {@code --config});
 * {@code LATCH_*} environment variables apply as in production. Prints {@value #READY} and the port
 * when serving; stops when its standard input closes (so it never outlives the test JVM) or on SIGTERM.
 */
public final class ServerProcess {

    public static final String READY = "LATCH-TEST-SERVER-READY";
    /** The argument that names a configuration file rather than a setting. */
    public static final String CONFIG_FILE = "@config";

    private ServerProcess() {}

    public static void main(String[] args) throws IOException {
        Map<String, String> settings = new LinkedHashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq < 1) {
                System.err.println("arguments are settings as name=value, not " + arg);
                System.exit(2);
            }
            settings.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        LatchServer server;
        try {
            CryptoProviders.select(CryptoProviders.Mode.AUTO);
            String file = settings.remove(CONFIG_FILE);
            ServerConfig config = ConfigLoader.system().load(file == null ? null : java.nio.file.Path.of(file), settings);
            server = LatchServer.create(LatchInstance.open(config, Clock.systemUTC())).start();
        } catch (RuntimeException e) {
            System.err.println("cannot start: " + e);
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "latch-stop"));
        System.out.println(READY + " " + server.port());
        System.out.flush();
        while (System.in.read() != -1) {
            // the parent holds stdin open for as long as this server should live
        }
        System.exit(0);
    }
}
