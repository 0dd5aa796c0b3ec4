package dev.latch.cli.gateway;

import dev.latch.cli.context.CommandContext;
import dev.latch.gateway.GatewayServer;
import dev.latch.gateway.config.GatewayConfig;
import dev.latch.gateway.config.GatewayConfigException;
import dev.latch.gateway.config.GatewayConfigLoader;
import dev.latch.gateway.sso.SsoRoute;
import dev.latch.resource.AccessTokenValidator;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code latch gateway}: OAuth in front of services (protect), tokens on outbound calls (attach). */
@Command(name = "gateway", mixinStandardHelpOptions = true,
        description = {"Run the gateway: protect services with OAuth, attach tokens to outbound calls, sign browsers in (sso).",
                "Prints its URL when ready; stops cleanly on SIGTERM, finishing requests in flight."},
        footer = {"", "Configuration: gateway.yaml (see docs/gateway-configuration.md), LATCH_GATEWAY_* environment, flags.",
                "With --check: exit 0 when valid, 1 with one line per problem."})
public final class GatewayCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "The gateway's YAML configuration (or LATCH_GATEWAY_CONFIG).")
    Path config;

    @Option(names = "--port", paramLabel = "N", description = "Public port (default 8000; 0 picks a free one).")
    Integer port;

    @Option(names = "--host", paramLabel = "ADDRESS", description = "Public bind address (default 0.0.0.0).")
    String host;

    @Option(names = "--management-port", paramLabel = "N", description = "Loopback port of /healthz and /metrics (default 9000).")
    Integer managementPort;

    @Option(names = "--crypto", paramLabel = "MODE", defaultValue = "auto",
            description = "Crypto provider for signature checks: auto (default: AWS-LC when it loads), native (or fail), jdk.")
    String crypto;

    @Option(names = "--check", description = "Validate the configuration (reach each issuer; for sso routes check the provider, client and redirect URI) and exit.")
    boolean check;

    @Option(names = "--offline", description = "With --check: do not contact the issuers.")
    boolean offline;

    private final CountDownLatch stopped = new CountDownLatch(1);

    @Override
    public Integer call() throws Exception {
        var secrets = CommandContext.secrets(spec);
        Path file = config;
        if (file == null) {
            String env = secrets.environment("LATCH_GATEWAY_CONFIG");
            if (env == null || env.isBlank()) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--config FILE is required (or LATCH_GATEWAY_CONFIG)");
            }
            file = Path.of(env);
        }
        if (!Files.isRegularFile(file)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--config " + file + ": no such file");
        }
        Map<String, String> overrides = new LinkedHashMap<>();
        overrides.put("port", port == null ? null : port.toString());
        overrides.put("host", host);
        overrides.put("management-port", managementPort == null ? null : managementPort.toString());
        GatewayConfigLoader loader = new GatewayConfigLoader(secrets::environment, secrets);
        if (check) {
            return check(loader, file, overrides);
        }
        GatewayConfig loaded = loader.load(file, overrides);
        // the same provider choice as `latch serve`: an RS256 verification costs about half on AWS-LC
        dev.latch.core.crypto.CryptoProviders.select(dev.latch.core.crypto.CryptoProviders.Mode.parse(crypto));
        GatewayServer server = GatewayServer.create(loaded);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "latch-gateway-shutdown"));
        server.start();
        PrintWriter out = spec.commandLine().getOut();
        out.println("Latch gateway is ready: " + server.url() + " (management http://127.0.0.1:" + server.managementPort() + ")");
        out.flush();
        stopped.await();
        return 0;
    }

    private int check(GatewayConfigLoader loader, Path file, Map<String, String> overrides) {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        GatewayConfig loaded;
        try {
            loaded = loader.load(file, overrides);
        } catch (GatewayConfigException e) {
            e.problems().forEach(err::println);
            err.flush();
            return 1;
        }
        List<String> problems = new ArrayList<>();
        if (!offline) {
            for (GatewayConfig.Issuer issuer : loaded.issuers().values()) {
                try (AccessTokenValidator validator = AccessTokenValidator.builder(issuer.settings()).build()) {
                    AccessTokenValidator.Health health = validator.check();
                    if (!health.reachable()) {
                        problems.add(file + ": issuers." + issuer.id() + ": " + health.problem());
                    }
                }
            }
            HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
            for (GatewayConfig.Route route : loaded.routes()) {
                if (route.sso() != null) {
                    SsoRoute sso = new SsoRoute(route, http, Clock.systemUTC(), loaded.tls() != null, reason -> { });
                    for (String problem : sso.check()) {
                        problems.add(file + ": route " + route.path() + ": sso: " + problem);
                    }
                }
            }
        }
        if (!problems.isEmpty()) {
            problems.forEach(err::println);
            err.flush();
            return 1;
        }
        out.println(file + ": valid (" + loaded.routes().size() + " route" + (loaded.routes().size() == 1 ? "" : "s") + ", "
                + loaded.issuers().size() + " issuer" + (loaded.issuers().size() == 1 ? "" : "s")
                + (loaded.issuers().isEmpty() ? "" : offline ? "; issuers not contacted" : "; every issuer reachable")
                + (loaded.routes().stream().noneMatch(r -> r.sso() != null) ? ""
                        : offline ? "; sign-in providers not contacted" : "; every sign-in provider accepts the client") + ")");
        out.flush();
        return 0;
    }
}
