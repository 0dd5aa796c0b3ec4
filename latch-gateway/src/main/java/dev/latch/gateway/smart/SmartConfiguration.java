package dev.latch.gateway.smart;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The issuer's SMART configuration (SMART App Launch 2.2 §"Conformance", {@code /.well-known/smart-configuration}),
 * which the gateway serves at each smart route's FHIR base and folds into the FHIR server's CapabilityStatement.
 * Fetched from {@code {issuer}/.well-known/smart-configuration} with a time limit, a size limit and no redirects,
 * kept for {@code ttl}; a document whose {@code issuer} is not the configured one is refused. When the issuer
 * cannot be reached, a document fetched before is served (it was true a moment ago), else nothing; a failed fetch
 * is not repeated for 5 seconds, so an issuer that is down costs no request more than one wait.
 */
public final class SmartConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(SmartConfiguration.class);
    static final Duration FAILURE_BACKOFF = Duration.ofSeconds(5);
    static final int MAX_BYTES = 1 << 20;
    static final String OAUTH_URIS = "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris";

    /** The issuer's document cannot be had now. */
    public static final class Unavailable extends RuntimeException {
        Unavailable(String message) {
            super(message, null, false, false);
        }
    }

    private final String issuer;
    private final URI location;
    private final HttpClient http;
    private final Duration ttl;
    private final Duration timeout;
    private final Clock clock;
    private final Object lock = new Object();
    private volatile JsonNode document;
    private volatile Instant fetchedAt = Instant.MIN;
    private Instant failedAt = Instant.MIN;
    private String failure;

    public SmartConfiguration(String issuer, HttpClient http, Duration ttl, Duration timeout, Clock clock) {
        this.issuer = issuer;
        this.location = URI.create((issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer)
                + "/.well-known/smart-configuration");
        this.http = http;
        this.ttl = ttl;
        this.timeout = timeout;
        this.clock = clock;
    }

    /** The document (a JSON object), fresh or kept. @throws Unavailable when there is none to serve */
    public JsonNode document() {
        JsonNode d = document;
        Instant now = clock.instant();
        if (d != null && now.isBefore(fetchedAt.plus(ttl))) {
            return d;
        }
        synchronized (lock) {
            if (document != null && now.isBefore(fetchedAt.plus(ttl))) {
                return document;
            }
            if (failure != null && now.isBefore(failedAt.plus(FAILURE_BACKOFF))) {
                if (document != null) return document;
                throw new Unavailable(failure);
            }
            try {
                JsonNode fetched = fetch();
                document = fetched;
                fetchedAt = clock.instant();
                failure = null;
                return fetched;
            } catch (Unavailable e) {
                failedAt = clock.instant();
                if (!e.getMessage().equals(failure)) {
                    LOG.warn("the SMART configuration of {} cannot be had: {}", issuer, e.getMessage());
                }
                failure = e.getMessage();
                if (document != null) return document;
                throw e;
            }
        }
    }

    private JsonNode fetch() {
        HttpResponse<InputStream> response;
        try {
            response = http.send(HttpRequest.newBuilder(location).timeout(timeout).header("Accept", "application/json").GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new Unavailable(location + " cannot be reached (" + e.getClass().getSimpleName() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable(location + ": interrupted");
        }
        byte[] bytes;
        try (InputStream in = response.body()) {
            bytes = in.readNBytes(MAX_BYTES + 1);
        } catch (IOException e) {
            throw new Unavailable(location + ": the answer broke off");
        }
        if (response.statusCode() != 200) {
            throw new Unavailable(location + " answered " + response.statusCode());
        }
        if (bytes.length > MAX_BYTES) {
            throw new Unavailable(location + ": the document is larger than " + MAX_BYTES + " bytes");
        }
        JsonNode node = SmartJson.parse(bytes);
        if (node == null || !node.isObject()) {
            throw new Unavailable(location + ": not a JSON object");
        }
        if (!issuer.equals(node.path("issuer").asText(null))) {
            throw new Unavailable(location + ": its issuer is not " + issuer);
        }
        return node;
    }

    /**
     * {@code capabilityStatement} with the SMART {@code security} element on each {@code rest} entry (SMART App Launch
     * 2.2 §"CapabilityStatement"): the {@code oauth-uris} extension (authorize, token, revoke, introspect, manage,
     * register, as the issuer's document has them) and the service {@code SMART-on-FHIR}. The FHIR server's own
     * {@code security} is replaced: behind the gateway, this is how the server is secured.
     */
    public static ObjectNode withSecurity(ObjectNode capabilityStatement, JsonNode smart) {
        ObjectNode security = SmartJson.MAPPER.createObjectNode();
        security.put("cors", true);
        ArrayNode uris = SmartJson.MAPPER.createArrayNode();
        String[][] names = {{"authorize", "authorization_endpoint"}, {"token", "token_endpoint"}, {"revoke", "revocation_endpoint"},
                {"introspect", "introspection_endpoint"}, {"manage", "management_endpoint"}, {"register", "registration_endpoint"}};
        for (String[] n : names) {
            JsonNode value = smart.get(n[1]);
            if (value != null && value.isTextual()) {
                uris.addObject().put("url", n[0]).put("valueUri", value.asText());
            }
        }
        ObjectNode extension = security.putArray("extension").addObject();
        extension.put("url", OAUTH_URIS);
        extension.set("extension", uris);
        ObjectNode service = security.putArray("service").addObject();
        service.putArray("coding").addObject().put("system", "http://terminology.hl7.org/CodeSystem/restful-security-service")
                .put("code", "SMART-on-FHIR").put("display", "SMART-on-FHIR");
        service.put("text", "OAuth2 using SMART-on-FHIR profile (see http://docs.smarthealthit.org)");
        for (JsonNode rest : capabilityStatement.path("rest")) {
            if (rest instanceof ObjectNode r) r.set("security", security.deepCopy());
        }
        return capabilityStatement;
    }
}
