package dev.latch.server.smart;

import com.fasterxml.jackson.databind.JsonNode;
import dev.latch.core.error.OAuthError;
import dev.latch.core.smart.LaunchContext;
import dev.latch.server.http.Json;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What an EHR asks a launch for ({@code POST /smart/launch}, {@code latch smart launch}, the launch
 * simulator): the app and the context of SMART App Launch 2.2 §"Launch context arrives with your
 * access_token". {@link #of} checks each field; a bad one is {@code invalid_request} naming it.
 *
 * @param iss  the FHIR base to send the app to, or null for the only one configured
 * @param user the Latch username the launch is for, or null for whoever signs in
 */
public record LaunchRequest(String clientId, String iss, String user, LaunchContext context) {

    /** FHIR R4 §2.24.0.1 {@code id}: 1-64 of A-Z a-z 0-9 - . */
    private static final Pattern FHIR_ID = Pattern.compile("[A-Za-z0-9\\-.]{1,64}");
    private static final Set<String> FIELDS = Set.of("client_id", "patient", "encounter", "fhirContext", "intent",
            "need_patient_banner", "smart_style_url", "tenant", "user", "iss");
    private static final int MAX_TEXT = 255;
    private static final int MAX_FHIR_CONTEXT = 20;

    /** Checks the fields and builds the request. */
    public static LaunchRequest of(String clientId, String iss, String user, LaunchContext context) {
        require(clientId != null && !clientId.isBlank(), "client_id is required");
        require(clientId.length() <= MAX_TEXT, "client_id is too long");
        if (context.patient() != null) require(FHIR_ID.matcher(context.patient()).matches(), "patient must be a FHIR id (1-64 of A-Z a-z 0-9 - .)");
        if (context.encounter() != null) require(FHIR_ID.matcher(context.encounter()).matches(), "encounter must be a FHIR id (1-64 of A-Z a-z 0-9 - .)");
        if (context.intent() != null) require(!context.intent().isBlank() && context.intent().length() <= MAX_TEXT, "intent must be 1-255 characters");
        if (context.tenant() != null) require(!context.tenant().isBlank() && context.tenant().length() <= MAX_TEXT, "tenant must be 1-255 characters");
        if (context.smartStyleUrl() != null) require(httpUrl(context.smartStyleUrl()), "smart_style_url must be an absolute http(s) URL");
        if (context.fhirContext() != null) {
            require(context.fhirContext().size() <= MAX_FHIR_CONTEXT, "fhirContext holds more than " + MAX_FHIR_CONTEXT + " entries");
            for (Map<String, Object> entry : context.fhirContext()) checkFhirContext(entry);
        }
        if (user != null) require(!user.isBlank() && user.length() <= MAX_TEXT, "user must be a username");
        if (iss != null) require(httpUrl(iss), "iss must be an absolute http(s) URL");
        return new LaunchRequest(clientId, iss, user, context);
    }

    /** The JSON body of {@code POST /smart/launch}: an object of the fields above, no other. */
    public static LaunchRequest parseJson(byte[] body) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body);
        } catch (java.io.IOException e) {
            throw OAuthError.invalidRequest("the body is not JSON");
        }
        if (root == null || !root.isObject()) {
            throw OAuthError.invalidRequest("the body must be a JSON object");
        }
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            require(FIELDS.contains(name), "unknown field " + (name.length() > 40 ? name.substring(0, 40) + "…" : name)
                    + " (known: client_id, patient, encounter, fhirContext, intent, need_patient_banner, smart_style_url, tenant, user, iss)");
        }
        List<Map<String, Object>> fhirContext = null;
        JsonNode fc = root.get("fhirContext");
        if (fc != null && !fc.isNull()) {
            require(fc.isArray(), "fhirContext must be an array of objects");
            fhirContext = new ArrayList<>();
            for (JsonNode entry : fc) {
                require(entry.isObject(), "fhirContext must be an array of objects");
                @SuppressWarnings("unchecked")
                Map<String, Object> map = Json.MAPPER.convertValue(entry, LinkedHashMap.class);
                fhirContext.add(map);
            }
        }
        Boolean banner = null;
        JsonNode b = root.get("need_patient_banner");
        if (b != null && !b.isNull()) {
            require(b.isBoolean(), "need_patient_banner must be true or false");
            banner = b.booleanValue();
        }
        LaunchContext context = new LaunchContext(text(root, "patient"), text(root, "encounter"), fhirContext, text(root, "intent"),
                banner, text(root, "smart_style_url"), text(root, "tenant"));
        return of(text(root, "client_id"), text(root, "iss"), text(root, "user"), context);
    }

    /** SMART 2.2: each entry names a resource by {@code reference}, {@code canonical} or {@code identifier}. */
    private static void checkFhirContext(Map<String, Object> entry) {
        boolean names = entry.get("reference") instanceof String || entry.get("canonical") instanceof String
                || entry.get("identifier") instanceof Map<?, ?>;
        require(names, "fhirContext entries must each have a reference, canonical or identifier");
        for (String field : List.of("reference", "canonical", "type", "role")) {
            Object v = entry.get(field);
            require(v == null || (v instanceof String s && !s.isBlank() && s.length() <= 1024), "fhirContext " + field + " must be text");
        }
        require(Json.write(entry).length() <= 4096, "fhirContext entries must be at most 4096 characters of JSON");
    }

    private static String text(JsonNode root, String field) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) return null;
        require(n.isTextual(), field + " must be a string");
        return n.textValue();
    }

    static boolean httpUrl(String value) {
        try {
            URI uri = new URI(value);
            return uri.isAbsolute() && uri.getHost() != null && uri.getFragment() == null
                    && ("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) && value.length() <= 2048;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static void require(boolean ok, String description) {
        if (!ok) throw OAuthError.invalidRequest(description);
    }
}
