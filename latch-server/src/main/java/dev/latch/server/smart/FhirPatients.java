package dev.latch.server.smart;

import com.fasterxml.jackson.databind.JsonNode;
import dev.latch.core.fetch.FetchException;
import dev.latch.server.authorize.PatientDirectory;
import dev.latch.server.config.ServerConfig;
import dev.latch.server.http.Json;
import dev.latch.server.outbound.OutboundFetcher;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Patients and encounters from a configured FHIR server's {@code upstream} (FHIR R4 RESTful search:
 * {@code GET Patient?name=…}, {@code GET Encounter?patient=…}, {@code GET Patient/{id}}), with
 * {@code Accept: application/fhir+json}, through the server's {@link OutboundFetcher} (its time and
 * size limits, no redirects). For the patient picker and the launch simulator.
 */
public final class FhirPatients implements PatientDirectory {

    /** FHIR R4 §2.24.0.1 {@code id}. */
    static final Pattern FHIR_ID = Pattern.compile("[A-Za-z0-9\\-.]{1,64}");
    private static final int COUNT = 20;

    private final OutboundFetcher fetcher;
    private final ServerConfig.Smart smart;

    public FhirPatients(OutboundFetcher fetcher, ServerConfig.Smart smart) {
        this.fetcher = fetcher;
        this.smart = smart;
    }

    @Override
    public boolean serves(String fhirBase) {
        return server(fhirBase).isPresent();
    }

    @Override
    public List<PatientEntry> search(String fhirBase, String name) {
        String q = name == null ? "" : name.strip();
        String url = upstream(fhirBase) + "/Patient?" + (q.isEmpty() ? "" : "name=" + encode(q) + "&") + "_count=" + COUNT;
        List<PatientEntry> out = new ArrayList<>();
        for (JsonNode r : entries(get(url), "Patient")) {
            patient(r).ifPresent(out::add);
        }
        return out;
    }

    @Override
    public Optional<PatientEntry> read(String fhirBase, String id) {
        if (id == null || !FHIR_ID.matcher(id).matches()) {
            return Optional.empty();
        }
        // a search by _id, not a read: an unknown id is then an empty Bundle rather than a 404 to tell from an outage
        for (JsonNode r : entries(get(upstream(fhirBase) + "/Patient?_id=" + encode(id)), "Patient")) {
            Optional<PatientEntry> p = patient(r);
            if (p.isPresent() && p.get().id().equals(id)) return p;
        }
        return Optional.empty();
    }

    @Override
    public List<EncounterEntry> encounters(String fhirBase, String patientId) {
        if (patientId == null || !FHIR_ID.matcher(patientId).matches()) {
            return List.of();
        }
        List<EncounterEntry> out = new ArrayList<>();
        for (JsonNode r : entries(get(upstream(fhirBase) + "/Encounter?patient=" + encode(patientId) + "&_count=" + COUNT), "Encounter")) {
            String id = r.path("id").asText(null);
            if (id == null || !FHIR_ID.matcher(id).matches()) continue;
            List<String> parts = new ArrayList<>();
            String type = r.path("type").path(0).path("text").asText("");
            if (type.isEmpty()) type = r.path("type").path(0).path("coding").path(0).path("display").asText("");
            if (type.isEmpty()) type = r.path("class").path("display").asText(r.path("class").path("code").asText(""));
            if (!type.isEmpty()) parts.add(type);
            String start = r.path("period").path("start").asText("");
            if (!start.isEmpty()) parts.add(start.length() > 10 ? start.substring(0, 10) : start);
            String status = r.path("status").asText("");
            if (!status.isEmpty()) parts.add(status);
            out.add(new EncounterEntry(id, parts.isEmpty() ? "Encounter " + id : String.join(" · ", parts)));
        }
        return out;
    }

    private Optional<ServerConfig.FhirServer> server(String fhirBase) {
        if (fhirBase == null) {
            return smart.fhirServers().size() == 1 ? Optional.of(smart.fhirServers().get(0)) : Optional.empty();
        }
        return smart.byBase(fhirBase);
    }

    private String upstream(String fhirBase) {
        String upstream = server(fhirBase).orElseThrow(() -> new Unavailable("no FHIR server is configured for " + fhirBase)).upstream();
        return upstream.endsWith("/") ? upstream.substring(0, upstream.length() - 1) : upstream;
    }

    private JsonNode get(String url) {
        try {
            return Json.MAPPER.readTree(fetcher.fetchConfigured(url, "application/fhir+json").body());
        } catch (FetchException e) {
            throw new Unavailable(e.getMessage());
        } catch (java.io.IOException e) {
            throw new Unavailable(url + ": the answer is not JSON");
        }
    }

    /** The resources of {@code type} in a search Bundle. */
    private static List<JsonNode> entries(JsonNode bundle, String type) {
        if (bundle == null || !"Bundle".equals(bundle.path("resourceType").asText())) {
            throw new Unavailable("the FHIR server did not answer a Bundle");
        }
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode e : bundle.path("entry")) {
            JsonNode r = e.path("resource");
            if (type.equals(r.path("resourceType").asText())) out.add(r);
        }
        return out;
    }

    private static Optional<PatientEntry> patient(JsonNode r) {
        String id = r.path("id").asText(null);
        if (id == null || !FHIR_ID.matcher(id).matches()) {
            return Optional.empty();
        }
        return Optional.of(new PatientEntry(id, displayName(r), emptyToNull(r.path("birthDate").asText("")),
                emptyToNull(r.path("gender").asText(""))));
    }

    /** HumanName: {@code text}, else given names and family of the first (official, if any) name. */
    static String displayName(JsonNode patient) {
        JsonNode chosen = null;
        for (JsonNode n : patient.path("name")) {
            if (chosen == null || "official".equals(n.path("use").asText())) chosen = n;
            if ("official".equals(n.path("use").asText())) break;
        }
        if (chosen == null) return "(no name)";
        if (!chosen.path("text").asText("").isBlank()) return chosen.path("text").asText();
        List<String> parts = new ArrayList<>();
        for (JsonNode g : chosen.path("given")) parts.add(g.asText());
        if (!chosen.path("family").asText("").isBlank()) parts.add(chosen.path("family").asText());
        return parts.isEmpty() ? "(no name)" : String.join(" ", parts);
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
