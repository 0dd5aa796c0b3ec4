package dev.latch.cli.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.latch.cli.instance.InstanceOptions;
import dev.latch.server.config.ServerConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code latch config show}: the effective configuration, secrets redacted. */
@Command(name = "show", mixinStandardHelpOptions = true,
        description = {"Print the effective configuration (defaults, --config file, LATCH_* environment and these options) as YAML "
                + "in the form --config accepts. Secrets (database.password, master-key, registration.initial-access-token, "
                + "clients' client_secret, users' password and password_hash) are shown as " + ShowConfigCommand.REDACTED + ".",
                "Reads no data: clients, scopes, users and resources in the database are listed by `latch clients list`, `latch users list` "
                        + "and `latch resources list`."})
public final class ShowConfigCommand implements Callable<Integer> {

    static final String REDACTED = "<redacted>";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES))
            // unset settings are left out, as in a configuration file
            .setDefaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.NON_NULL));

    @Spec
    CommandSpec spec;

    @Mixin
    InstanceOptions instance = new InstanceOptions();

    @Override
    public Integer call() throws IOException {
        ServerConfig c = instance.load();
        spec.commandLine().getOut().print(YAML.writeValueAsString(redacted(c)));
        spec.commandLine().getOut().flush();
        return 0;
    }

    static Map<String, Object> redacted(ServerConfig c) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("issuer", c.issuer());
        root.put("port", c.port());
        root.put("data", c.data().toString());
        Map<String, Object> db = new LinkedHashMap<>();
        db.put("url", c.dbUrlOrEmbedded());
        db.put("user", c.database().user());
        db.put("password", secret(c.database().password()));
        db.put("pool-size", c.database().poolSize());
        root.put("database", db);
        root.put("management", map("host", c.management().host(), "port", c.management().port()));
        root.put("tls", map("cert", path(c.tls().cert()), "key", path(c.tls().key())));
        root.put("crypto", c.crypto());
        root.put("master-key", secret(c.masterKey()));
        ServerConfig.Tokens t = c.tokens();
        Map<String, Object> tokens = new LinkedHashMap<>();
        tokens.put("access-token-lifetime", duration(t.accessTokenLifetime()));
        tokens.put("max-access-token-lifetime", duration(t.maxAccessTokenLifetime()));
        tokens.put("default-audience", t.defaultAudience());
        tokens.put("signing-alg", t.signingAlg());
        tokens.put("jwks-max-age", duration(t.jwksMaxAge()));
        tokens.put("id-token-lifetime", duration(t.idTokenLifetime()));
        tokens.put("refresh-token-idle-lifetime", duration(t.refreshTokenIdleLifetime()));
        tokens.put("refresh-token-absolute-lifetime", duration(t.refreshTokenAbsoluteLifetime()));
        tokens.put("default-profile", t.defaultProfile().configName());
        root.put("tokens", tokens);
        Map<String, Object> registration = new LinkedHashMap<>();
        registration.put("initial-access-token", secret(c.registration().initialAccessToken()));
        registration.put("allowed-scopes", c.registration().allowedScopes());
        registration.put("allowed-grant-types", c.registration().allowedGrantTypes());
        root.put("registration", registration);
        root.put("outbound", map("allow", c.outbound().allow(), "timeout", duration(c.outbound().timeout()),
                "max-bytes", c.outbound().maxBytes()));
        List<Object> scopes = new ArrayList<>();
        for (ServerConfig.ScopeSetting s : c.scopes()) {
            scopes.add(s.description() == null ? s.name() : map("name", s.name(), "description", s.description()));
        }
        root.put("scopes", scopes);
        List<Object> clients = new ArrayList<>();
        for (Map<String, Object> declared : c.clients()) {
            Map<String, Object> copy = new LinkedHashMap<>(declared);
            copy.computeIfPresent("client_secret", (k, v) -> REDACTED);
            clients.add(copy);
        }
        root.put("clients", clients);
        List<Object> claims = new ArrayList<>();
        for (ServerConfig.ClaimMapping m : c.claims()) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("claim", m.claim());
            one.put("source", m.source());
            one.put("in", m.in());
            if (m.scope() != null) one.put("scope", m.scope());
            claims.add(one);
        }
        root.put("claims", claims);
        ServerConfig.Argon2id a2 = c.passwords().argon2id();
        root.put("passwords", map("argon2id", map("memory-kib", a2.memoryKib(), "iterations", a2.iterations(),
                "parallelism", a2.parallelism()), "min-length", c.passwords().minLength()));
        List<Object> users = new ArrayList<>();
        for (ServerConfig.UserSetting u : c.users()) {
            Map<String, Object> user = new LinkedHashMap<>();
            user.put("username", u.username());
            user.put("password", secret(u.password()));
            user.put("password_hash", secret(u.passwordHash()));
            user.putAll(u.claims());
            user.put("roles", u.roles());
            user.put("enabled", u.enabled());
            users.add(user);
        }
        root.put("users", users);
        List<Object> resources = new ArrayList<>();
        for (ServerConfig.ResourceSetting r : c.resources()) {
            resources.add(map("uri", r.uri(), "token-profile", r.tokenProfile().configName()));
        }
        root.put("resources", resources);
        return root;
    }

    private static Object secret(String value) {
        return value == null ? null : REDACTED;
    }

    private static String path(Path p) {
        return p == null ? null : p.toString();
    }

    private static String duration(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    private static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
