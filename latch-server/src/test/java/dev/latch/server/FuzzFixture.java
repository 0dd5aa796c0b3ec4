package dev.latch.server;

import com.nimbusds.jose.jwk.ECKey;
import dev.latch.server.client.Client;
import dev.latch.server.client.ClientAuthentication;
import dev.latch.server.client.ClientKeys;
import dev.latch.server.client.ClientRegistry;
import dev.latch.server.client.JdbcClientStore;
import dev.latch.server.config.ServerConfig;
import dev.latch.server.keys.MasterKey;
import dev.latch.server.outbound.OutboundFetcher;
import dev.latch.server.outbound.OutboundPolicy;
import dev.latch.server.replay.JdbcReplayCache;
import dev.latch.server.scope.ScopeCatalogue;
import dev.latch.server.storage.Database;
import dev.latch.server.storage.TestDatabase;
import dev.latch.server.token.Audiences;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;

/**
 * What the server's fuzz targets ({@code *FuzzTest}) parse against: an H2 database with one client of each
 * kind, client authentication over it, and the SMART audiences — the real classes, no server. The clock
 * stands still at {@link #NOW}, so a kept input (a client assertion with {@code exp}) means the same on
 * every run; the keys and secrets are fixed for the same reason.
 */
public final class FuzzFixture implements AutoCloseable {

    public static final String ISSUER = "https://as.example";
    public static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    public static final String FHIR_BASE = "https://fhir.example/r4";
    public static final String API = "https://api.example/";
    public static final String REDIRECT = "https://app.example/cb";
    public static final String BASIC_SECRET = "basic-secret-for-fuzzing-0123456789abcdefghijklmn";
    /** The HMAC secret of client {@code hmac} (client_secret_jwt): 64 bytes, enough for HS512. */
    public static final String HMAC_SECRET = "an-hmac-key-of-sixty-four-bytes-for-HS512-0123456789abcdefghijkl";
    /** The EC P-256 key of client {@code key} (private_key_jwt), kid {@code k1}; fixed so kept assertions verify. */
    public static final String EC_KEY = "{\"kty\":\"EC\",\"d\":\"9CsZJZQ59w6H5x8OYpyNk7nRSxiDgyBq2RqnHG8GByU\",\"crv\":\"P-256\","
            + "\"kid\":\"k1\",\"x\":\"Kr4CLtztsYE5gW9kT66yebw8Tvcdkx0I0aKU_weBMDk\",\"y\":\"r14nX4i4HuFQnC4BEgkeNXlx-y7xwY5kObx5s8V1U28\"}";

    private final TestDatabase testDatabase;
    private final Database database;
    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    private final ScopeCatalogue scopes;
    private final ClientRegistry clients;
    private final ClientAuthentication authentication;
    private final Audiences audiences = new Audiences(API + "default",
            new ServerConfig.Smart(List.of(new ServerConfig.FhirServer(FHIR_BASE, "http://127.0.0.1:1/fhir"))));

    /**
     * Clients: {@code basic} (client_secret_basic), {@code post} (client_secret_post), {@code hmac}
     * (client_secret_jwt), {@code key} (private_key_jwt, SMART backend), {@code web} (confidential, code flow),
     * {@code spa} (public, code flow, PKCE), {@code native} (loopback redirect), {@code pushed} (must use PAR).
     */
    public FuzzFixture() {
        testDatabase = TestDatabase.h2();
        database = testDatabase.open();
        scopes = new ScopeCatalogue(database.sql(), true);
        clients = new ClientRegistry(new JdbcClientStore(database.sql()), scopes, MasterKey.random(), clock, Duration.ofHours(24),
                new OutboundPolicy(List.of()));
        List<String> code = List.of("authorization_code", "refresh_token");
        clients.create(new Client.Builder().clientId("basic").scope("read write").allowedResources(List.of(API)).build(),
                BASIC_SECRET, true, null);
        clients.create(new Client.Builder().clientId("post").tokenEndpointAuthMethod(Client.POST).scope("read").build(),
                BASIC_SECRET, true, null);
        clients.create(new Client.Builder().clientId("hmac").tokenEndpointAuthMethod(Client.SECRET_JWT).scope("read").build(),
                HMAC_SECRET, true, null);
        clients.create(new Client.Builder().clientId("key").tokenEndpointAuthMethod(Client.PRIVATE_KEY_JWT)
                .scope("system/*.rs system/Patient.cruds").jwks(TestKeys.publicJwks(ecKey())).build(), null, true, null);
        clients.create(new Client.Builder().clientId("web").scope("openid profile email offline_access read patient/*.rs launch/patient")
                .grantTypes(code).redirectUris(List.of(REDIRECT)).allowedResources(List.of(API)).build(), BASIC_SECRET, true, null);
        clients.create(new Client.Builder().clientId("spa").tokenEndpointAuthMethod(Client.NONE).scope("openid profile user/Observation.rs")
                .grantTypes(code).redirectUris(List.of(REDIRECT)).requirePkce(true).build(), null, true, null);
        clients.create(new Client.Builder().clientId("native").tokenEndpointAuthMethod(Client.NONE).applicationType("native")
                .scope("openid").grantTypes(code).redirectUris(List.of("http://127.0.0.1/cb", "http://[::1]/cb?x=1")).build(),
                null, true, null);
        clients.create(new Client.Builder().clientId("pushed").scope("openid").grantTypes(code).redirectUris(List.of(REDIRECT))
                .requirePushedAuthorizationRequests(true).build(), BASIC_SECRET, true, null);
        authentication = new ClientAuthentication(clients,
                new ClientKeys(new OutboundFetcher(List.of(), Duration.ofSeconds(1), 1024), clock),
                new JdbcReplayCache(database.sql()), clock, ISSUER, Set.of(ISSUER + "/token", ISSUER + "/par"), Duration.ofHours(1));
    }

    public static ECKey ecKey() {
        try {
            return ECKey.parse(EC_KEY);
        } catch (ParseException e) {
            throw new IllegalStateException(e);
        }
    }

    public Clock clock() {
        return clock;
    }

    public Database database() {
        return database;
    }

    public ScopeCatalogue scopes() {
        return scopes;
    }

    public ClientRegistry clients() {
        return clients;
    }

    public ClientAuthentication authentication() {
        return authentication;
    }

    public Audiences audiences() {
        return audiences;
    }

    @Override
    public void close() {
        database.close();
        testDatabase.close();
    }
}
