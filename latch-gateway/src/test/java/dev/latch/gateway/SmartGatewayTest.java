package dev.latch.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code mode: smart} end to end: a real gateway in front of a FHIR JSON server, tokens from an issuer whose
 * keys, introspection and SMART configuration the test controls. Every attempt at patient p2's data with a
 * token for p1 is refused with an OperationOutcome — and where it can be decided before, never reaches the server.
 */
class SmartGatewayTest {

    static final String AUD = "http://localhost/fhir";
    static final String LAB = "http://terminology.hl7.org/CodeSystem/observation-category|laboratory";

    static FakeIssuer issuer;
    static FakeIssuer downIssuer;
    static FhirUpstream fhir;
    static TestGateway gateway;

    @BeforeAll
    static void start() {
        issuer = FakeIssuer.start();
        downIssuer = FakeIssuer.start();
        downIssuer.smartConfigurationStatus(500);
        fhir = FhirUpstream.start();
        gateway = TestGateway.start("""
                issuers:
                  - id: latch
                    issuer: %s
                    audience: %s
                    introspection: { client-id: gateway, client-secret: "${env:GW_SECRET}" }
                  - id: down
                    issuer: %s
                    audience: %s
                routes:
                  - path: /fhir/
                    upstream: %s
                    mode: smart
                    issuer: latch
                  - path: /other/
                    upstream: %s
                    mode: smart
                    issuer: down
                    check-active: false
                  - path: /cached/
                    upstream: %s
                    mode: smart
                    issuer: latch
                    introspection-cache: 5s
                """.formatted(issuer.issuer(), AUD, downIssuer.issuer(), AUD, fhir.base(), fhir.base(), fhir.base()), Map.of("GW_SECRET", "s3cret"));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        fhir.close();
        issuer.close();
        downIssuer.close();
    }

    static String token(String scope, String patient) {
        return issuer.token(c -> {
            c.audience(AUD).claim("scope", scope).claim("client_id", "app");
            if (patient != null) c.claim("patient", patient);
        });
    }

    static HttpResponse<String> get(String path, String token, String... headers) {
        List<String> h = new ArrayList<>(List.of(headers));
        if (token != null) {
            h.add("Authorization");
            h.add("Bearer " + token);
        }
        return gateway.get(path, h.toArray(String[]::new));
    }

    static HttpResponse<String> post(String path, String token, String contentType, String body) {
        return TestGateway.send(HttpRequest.newBuilder(URI.create(gateway.url(path))).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    static JsonNode json(HttpResponse<String> r) {
        try {
            return FhirUpstream.JSON.readTree(r.body());
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + r.body(), e);
        }
    }

    static void assertForbidden(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/fhir+json");
        assertThat(r.headers().firstValue("WWW-Authenticate").orElseThrow()).startsWith("Bearer error=\"insufficient_scope\"");
        JsonNode oo = json(r);
        assertThat(oo.path("resourceType").asText()).isEqualTo("OperationOutcome");
        assertThat(oo.path("issue").get(0).path("code").asText()).isEqualTo("forbidden");
        assertThat(r.body()).doesNotContain("\"family\"").doesNotContain("\"Two\"");
    }

    static List<String> ids(HttpResponse<String> r) {
        List<String> ids = new ArrayList<>();
        for (JsonNode e : json(r).path("entry")) ids.add(e.path("resource").path("resourceType").asText() + "/" + e.path("resource").path("id").asText());
        return ids;
    }

    // ------------------------------------------------------------------ public documents

    @Test
    void smartConfigurationIsServedAtTheFhirBaseAsJsonWithCorsWhateverAccept() {
        HttpResponse<String> r = get("/fhir/.well-known/smart-configuration", null, "Accept", "text/html");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
        assertThat(json(r).path("issuer").asText()).isEqualTo(issuer.issuer());
        assertThat(json(r).path("token_endpoint").asText()).isEqualTo(issuer.issuer() + "/token");
    }

    @Test
    void smartConfigurationWhenIssuerFailsThen503JsonQuickly() {
        long start = System.nanoTime();
        HttpResponse<String> r = get("/other/.well-known/smart-configuration", null);
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(json(r).path("error").asText()).isEqualTo("temporarily_unavailable");
        assertThat(r.headers().firstValue("Retry-After")).hasValue("5");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(6));
        HttpResponse<String> metadata = get("/other/metadata", null);
        assertThat(metadata.statusCode()).isEqualTo(503);
        assertThat(json(metadata).path("resourceType").asText()).isEqualTo("OperationOutcome");
    }

    @Test
    void metadataIsPublicAndCarriesTheSmartSecurityExtension() {
        HttpResponse<String> r = get("/fhir/metadata?_format=xml", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(fhir.last()).isEqualTo("/fhir/metadata");
        JsonNode security = json(r).path("rest").get(0).path("security");
        assertThat(security.path("service").get(0).path("coding").get(0).path("code").asText()).isEqualTo("SMART-on-FHIR");
        JsonNode oauth = security.path("extension").get(0);
        assertThat(oauth.path("url").asText()).isEqualTo("http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris");
        Map<String, String> uris = new java.util.HashMap<>();
        for (JsonNode e : oauth.path("extension")) uris.put(e.path("url").asText(), e.path("valueUri").asText());
        assertThat(uris).containsEntry("authorize", issuer.issuer() + "/authorize").containsEntry("token", issuer.issuer() + "/token")
                .containsEntry("revoke", issuer.issuer() + "/revoke").containsEntry("introspect", issuer.issuer() + "/introspect")
                .containsEntry("manage", issuer.issuer() + "/account");
        assertThat(r.headers().firstValue("Content-Length")).hasValue(String.valueOf(r.body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length));
    }

    // ------------------------------------------------------------------ tokens

    @Test
    void noTokenThen401OperationOutcomeAndUpstreamNotReached() {
        int before = fhir.count();
        HttpResponse<String> r = get("/fhir/Patient/p1", null);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate").orElseThrow()).startsWith("Bearer ");
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/fhir+json");
        assertThat(json(r).path("issue").get(0).path("code").asText()).isEqualTo("login");
        assertThat(fhir.count()).isEqualTo(before);
    }

    @Test
    void revokedTokenIsRefusedAtTheFrontOnTheNextRequest() {
        String token = token("patient/Patient.r", "p1");
        assertThat(get("/fhir/Patient/p1", token).statusCode()).isEqualTo(200);
        issuer.revoke(token);
        int before = fhir.count();
        HttpResponse<String> r = get("/fhir/Patient/p1", token);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate").orElseThrow()).contains("error=\"invalid_token\"");
        assertThat(json(r).path("resourceType").asText()).isEqualTo("OperationOutcome");
        assertThat(fhir.count()).isEqualTo(before);
    }

    @Test
    void concurrentRequestsWithOneNewTokenIntrospectItOnceWhenAnswersAreCached() throws Exception {
        String token = token("patient/Patient.r", "p1");
        int before = issuer.introspections();
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        List<java.util.concurrent.CompletableFuture<Integer>> calls = new ArrayList<>();
        try (var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 24; i++) {
                calls.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return get("/cached/Patient/p1", token).statusCode();
                }, threads));
            }
            go.countDown();
            assertThat(calls.stream().map(java.util.concurrent.CompletableFuture::join).toList()).containsOnly(200);
        }
        assertThat(issuer.introspections() - before).as("one introspection for 24 requests in flight").isEqualTo(1);

        // an inactive answer is kept too: a revoked token is asked about once, then refused from the cache
        String revoked = token("patient/Patient.r", "p1");
        issuer.revoke(revoked);
        int beforeRevoked = issuer.introspections();
        for (int i = 0; i < 3; i++) {
            assertThat(get("/cached/Patient/p1", revoked).statusCode()).isEqualTo(401);
        }
        assertThat(issuer.introspections() - beforeRevoked).isEqualTo(1);
    }

    // ------------------------------------------------------------------ patient compartment

    @Test
    void patientReadsOnlyTheirOwnPatient() {
        String token = token("patient/Patient.r", "p1");
        HttpResponse<String> own = get("/fhir/Patient/p1", token);
        assertThat(own.statusCode()).as(own.body()).isEqualTo(200);
        assertThat(json(own).path("id").asText()).isEqualTo("p1");
        // never kept by the browser: its next user would read it from the cache, past the gateway's check
        assertThat(own.headers().allValues("Cache-Control")).containsExactly("no-store");
        assertThat(fhir.lastHeaders().get("accept")).isEqualTo("application/fhir+json");
        assertThat(get("/fhir/Patient/p1", token, "If-None-Match", "W/\"1\"").statusCode()).isEqualTo(200);
        assertThat(fhir.lastHeaders()).doesNotContainKey("if-none-match");
        int before = fhir.count();
        assertForbidden(get("/fhir/Patient/p2", token));
        assertForbidden(get("/fhir/Patient/p1/../p2", token));
        assertForbidden(get("/fhir/PATIENT/p2", token));
        assertForbidden(get("/fhir/Patient/p2/_history", token));
        assertForbidden(get("/fhir/Patient/p2/_history/1", token));
        assertForbidden(get("/fhir/Patient?_id=p2", token.replace("x", "x")));
        assertThat(fhir.count()).isEqualTo(before);
        HttpResponse<String> idTrick = get("/fhir/Patient/p1?_id=p2", token);
        assertThat(idTrick.statusCode()).isEqualTo(200);
        assertThat(json(idTrick).path("id").asText()).isEqualTo("p1");
    }

    @Test
    void pathTricksAreRefusedNotForwarded() {
        String token = token("patient/*.rs", "p1");
        int before = fhir.count();
        HttpResponse<String> doubled = get("/fhir//Patient/p2", token);
        assertThat(doubled.statusCode()).isIn(400, 403, 404);
        HttpResponse<String> encoded = get("/fhir/Patient/p1%2F..%2Fp2", token);
        assertThat(encoded.statusCode()).isIn(400, 403);
        HttpResponse<String> lower = get("/fhir/patient/p2", token);
        assertThat(lower.statusCode()).isEqualTo(404);
        assertThat(json(lower).path("resourceType").asText()).isEqualTo("OperationOutcome");
        assertThat(fhir.count()).isEqualTo(before);
    }

    @Test
    void searchWithoutPatientIsConfinedToThePatient() {
        String token = token("patient/Observation.rs", "p1");
        HttpResponse<String> r = get("/fhir/Observation?code=1234-5", token);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(fhir.last()).isEqualTo("/fhir/Observation?code=1234-5&patient=Patient%2Fp1");
        assertThat(ids(r)).containsExactly("Observation/o1", "Observation/o3");
        HttpResponse<String> named = get("/fhir/Observation?patient=p1", token);
        assertThat(named.statusCode()).isEqualTo(200);
        assertThat(fhir.last()).isEqualTo("/fhir/Observation?patient=p1");
        HttpResponse<String> compartment = get("/fhir/Patient/p1/Observation", token);
        assertThat(compartment.statusCode()).as(compartment.body()).isEqualTo(200);
        assertThat(ids(compartment)).containsExactly("Observation/o1", "Observation/o3");
    }

    @Test
    void searchesNamingAnotherPatientAreRefusedBeforeTheServer() {
        String token = token("patient/Observation.rs patient/Patient.rs", "p1");
        int before = fhir.count();
        for (String path : List.of("/fhir/Observation?patient=p2", "/fhir/Observation?subject=Patient/p2",
                "/fhir/Observation?subject=Patient%2Fp2", "/fhir/Observation?patient=p1,p2", "/fhir/Observation?patient=p1&patient=p2",
                "/fhir/Observation?subject:Patient=p2", "/fhir/Observation?subject:Patient.name=Two", "/fhir/Observation?patient.identifier=x",
                "/fhir/Observation?_has:Condition:subject:code=x", "/fhir/Patient/p2/Observation", "/fhir/Observation?patient:missing=true",
                "/fhir/Patient?_id=p2", "/fhir/Observation?subject=http://evil.example/fhir/Patient/p1")) {
            assertForbidden(get(path, token));
        }
        assertThat(fhir.count()).isEqualTo(before);
    }

    @Test
    void responsesHoldingAnotherPatientsDataAreRefused() {
        String token = token("patient/Observation.rs patient/Patient.rs", "p1");
        assertForbidden(get("/fhir/Observation/o2", token));
        assertForbidden(get("/fhir/Observation/o4", token)); // subject p2, performer p1: still p2's
        assertForbidden(get("/fhir/Observation/o2/_history", token));
        assertForbidden(get("/fhir/Observation?_leak=true", token)); // a server ignoring the confinement
        assertForbidden(get("/fhir/Observation?_include=Observation:subject", token)); // subject may be any type: name it
        HttpResponse<String> include = get("/fhir/Observation?_include=Observation:subject:Patient", token);
        assertThat(include.statusCode()).as(include.body()).isEqualTo(200);
        assertThat(ids(include)).containsExactly("Observation/o1", "Observation/o3", "Patient/p1");
    }

    @Test
    void includeNeedsReadOnTheIncludedType() {
        String token = token("patient/Observation.rs", "p1");
        int before = fhir.count();
        assertForbidden(get("/fhir/Observation?_include=Observation:subject:Patient", token));
        assertForbidden(get("/fhir/Observation?_include=Observation:patient", token));
        assertForbidden(get("/fhir/Observation?_revinclude=Provenance:target", token));
        assertThat(fhir.count()).isEqualTo(before);
    }

    @Test
    void everythingOfAnotherPatientIsRefused() {
        String token = token("patient/*.rs", "p1");
        int before = fhir.count();
        assertForbidden(get("/fhir/Patient/p2/$everything", token));
        assertThat(fhir.count()).isEqualTo(before);
    }

    @Test
    void patientScopesWithoutPatientClaimThen403() {
        String token = token("patient/Observation.rs", null);
        HttpResponse<String> r = get("/fhir/Observation", token);
        assertForbidden(r);
        assertThat(r.body()).contains("no patient in context");
    }

    @Test
    void postSearchFormBodyIsCheckedAndConfined() {
        String token = token("patient/Observation.rs", "p1");
        assertForbidden(post("/fhir/Observation/_search", token, "application/x-www-form-urlencoded", "patient=p2"));
        HttpResponse<String> r = post("/fhir/Observation/_search", token, "application/x-www-form-urlencoded", "code=1234-5");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(fhir.last()).isEqualTo("/fhir/Observation/_search?patient=Patient%2Fp1");
    }

    @Test
    void nonJsonFormatIsRefusedWhenTheResponseMustBeChecked() {
        HttpResponse<String> r = get("/fhir/Patient/p1?_format=xml", token("patient/Patient.r", "p1"));
        assertThat(r.statusCode()).isEqualTo(406);
        assertThat(json(r).path("resourceType").asText()).isEqualTo("OperationOutcome");
    }

    // ------------------------------------------------------------------ restrictions, writes, batches, user scopes

    @Test
    void restrictedScopeConfinesSearchesAndChecksResources() {
        String token = token("patient/Observation.rs?category=" + LAB, "p1");
        HttpResponse<String> r = get("/fhir/Observation", token);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(fhir.last()).contains("patient=Patient%2Fp1").contains("category=http%3A%2F%2Fterminology.hl7.org%2FCodeSystem%2Fobservation-category%7Claboratory");
        assertThat(ids(r)).containsExactly("Observation/o1");
        assertForbidden(get("/fhir/Observation/o3", token)); // vital signs
        HttpResponse<String> unenforceable = get("/fhir/Observation", token("patient/Observation.rs?date=2020", "p1"));
        assertForbidden(unenforceable);
        assertThat(unenforceable.body()).contains("cannot enforce");
    }

    @Test
    void createUnderPatientScopeMustBelongToThePatient() {
        String token = token("patient/Observation.c", "p1");
        int before = fhir.count();
        assertForbidden(post("/fhir/Observation", token, "application/fhir+json", FhirUpstream.observation("x", "p2", "laboratory", null)));
        HttpResponse<String> dup = post("/fhir/Observation", token, "application/fhir+json",
                "{\"resourceType\":\"Observation\",\"subject\":{\"reference\":\"Patient/p2\"},\"subject\":{\"reference\":\"Patient/p1\"}}");
        assertThat(dup.statusCode()).isEqualTo(400);
        HttpResponse<String> badCondition = TestGateway.send(HttpRequest.newBuilder(URI.create(gateway.url("/fhir/Observation")))
                .header("Authorization", "Bearer " + token("patient/Observation.cs", "p1")).header("Content-Type", "application/fhir+json")
                .header("If-None-Exist", "identifier=%zz").POST(HttpRequest.BodyPublishers.ofString(FhirUpstream.observation("x", "p1", "laboratory", null))).build());
        assertThat(badCondition.statusCode()).as(badCondition.body()).isEqualTo(400);
        HttpResponse<String> otherCondition = TestGateway.send(HttpRequest.newBuilder(URI.create(gateway.url("/fhir/Observation")))
                .header("Authorization", "Bearer " + token("patient/Observation.cs", "p1")).header("Content-Type", "application/fhir+json")
                .header("If-None-Exist", "patient=p2").POST(HttpRequest.BodyPublishers.ofString(FhirUpstream.observation("x", "p1", "laboratory", null))).build());
        assertForbidden(otherCondition);
        assertThat(fhir.count()).isEqualTo(before);
        HttpResponse<String> ok = post("/fhir/Observation", token, "application/fhir+json", FhirUpstream.observation("x", "p1", "laboratory", null));
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(201);
    }

    static HttpResponse<String> send(String method, String path, String token, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gateway.url(path))).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/fhir+json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) b.headers(headers);
        return TestGateway.send(b.build());
    }

    @Test
    void updatesAndDeletesUnderPatientScopesAreCheckedOnTheStoredResourceAndPinnedToItsVersion() {
        String token = token("patient/Observation.rud", "p1");
        int before = fhir.count();
        assertForbidden(send("DELETE", "/fhir/Observation/o2", token, null));
        assertThat(fhir.lastMethod()).isEqualTo("GET");
        assertThat(fhir.count()).as("only the read of the stored resource").isEqualTo(before + 1);
        assertForbidden(send("PUT", "/fhir/Observation/o4", token, FhirUpstream.observation("o4", "p1", "laboratory", null)));
        assertThat(fhir.lastMethod()).isEqualTo("GET");
        assertForbidden(send("PUT", "/fhir/Observation/o1", token, FhirUpstream.observation("o1", "p2", "laboratory", null)));

        HttpResponse<String> deleted = send("DELETE", "/fhir/Observation/o1", token, null);
        assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(200);
        assertThat(fhir.lastMethod()).isEqualTo("DELETE");
        assertThat(fhir.lastHeaders().get("if-match")).isEqualTo("W/\"1\"");
        HttpResponse<String> updated = send("PUT", "/fhir/Observation/o3", token, FhirUpstream.observation("o3", "p1", "laboratory", null));
        assertThat(updated.statusCode()).as(updated.body()).isEqualTo(200);
        assertThat(fhir.lastMethod()).isEqualTo("PUT");
        assertThat(fhir.lastHeaders().get("if-match")).isEqualTo("W/\"1\"");

        HttpResponse<String> stale = send("PUT", "/fhir/Observation/o3", token, FhirUpstream.observation("o3", "p1", "laboratory", null),
                "If-Match", "W/\"7\"");
        assertThat(stale.statusCode()).isEqualTo(412);
        assertThat(fhir.lastMethod()).isEqualTo("GET");
        HttpResponse<String> missing = send("DELETE", "/fhir/Observation/o9", token, null);
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(fhir.lastMethod()).isEqualTo("GET");
        assertForbidden(send("PATCH", "/fhir/Observation/o1", token, "[]"));
    }

    @Test
    void batchEntriesAreEachChecked() {
        String token = token("patient/Patient.r patient/Observation.rs", "p1");
        int before = fhir.count();
        assertForbidden(post("/fhir/", token, "application/fhir+json", """
                {"resourceType":"Bundle","type":"batch","entry":[
                  {"request":{"method":"GET","url":"Patient/p1"}},
                  {"request":{"method":"GET","url":"Patient/p2"}}]}"""));
        assertForbidden(post("/fhir/", token, "application/fhir+json", """
                {"resourceType":"Bundle","type":"transaction","entry":[
                  {"request":{"method":"GET","url":"Observation?subject=Patient/p2"}}]}"""));
        assertForbidden(post("/fhir/", token, "application/fhir+json", """
                {"resourceType":"Bundle","type":"batch","entry":[{"request":{"method":"GET","url":"Observation"}}]}"""));
        assertThat(fhir.count()).isEqualTo(before);
        HttpResponse<String> ok = post("/fhir/", token, "application/fhir+json", """
                {"resourceType":"Bundle","type":"batch","entry":[
                  {"request":{"method":"GET","url":"Patient/p1"}},
                  {"request":{"method":"GET","url":"Observation?patient=p1"}}]}""");
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertForbidden(post("/fhir/", token, "application/fhir+json", """
                {"resourceType":"Bundle","type":"batch","entry":[{"request":{"method":"GET","url":"Observation/o2"}}]}"""));
    }

    @Test
    void userScopesAllowByTypeWithoutReadingTheResponse() {
        String token = token("user/Observation.rs", null);
        HttpResponse<String> r = get("/fhir/Observation?_leak=true", token);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(ids(r)).contains("Observation/o2");
        assertThat(fhir.lastHeaders().get("accept")).isNotEqualTo("application/fhir+json");
        assertThat(fhir.lastHeaders().get("x-forwarded-scope")).isEqualTo("user/Observation.rs");
        assertForbidden(get("/fhir/Patient/p1", token));
        assertForbidden(get("/fhir/Observation?_include=Observation:subject:Patient", token));
    }

    @Test
    void streamedResponsesFlushedInSmallPiecesArriveWhole() {
        String token = token("user/Observation.rs", null);
        HttpResponse<String> whole = get("/fhir/Observation?_leak=true", token);
        assertThat(whole.statusCode()).as(whole.body()).isEqualTo(200);
        // many small chunks from the server are written on in fewer, larger writes: the same bytes arrive
        HttpResponse<String> pieces = get("/fhir/Observation?_leak=true&_pieces=16", token);
        assertThat(pieces.statusCode()).as(pieces.body()).isEqualTo(200);
        assertThat(pieces.body()).isEqualTo(whole.body());
        // more than one coalesced write holds (64 KiB)
        HttpResponse<String> large = get("/fhir/Observation?_leak=true&_pieces=700&_pad=300000", token);
        assertThat(large.statusCode()).isEqualTo(200);
        assertThat(json(large).path("_pad").asText()).hasSize(300_000);
        assertThat(ids(large)).isEqualTo(ids(whole));
    }
}
