package dev.latch.core.smart;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The launch context of a SMART App Launch 2.2 authorization (§"Launch context arrives with your
 * access_token"): what the EHR launch or the patient picker decided, carried by the authorization
 * code, the refresh-token family, the token response, the access token's claims and introspection.
 * Every field is optional; only those present are written.
 *
 * @param fhirContext       SMART 2.2 {@code fhirContext}: objects such as {@code {"reference": "DocumentReference/123"}}
 * @param needPatientBanner {@code need_patient_banner}, or null when not said
 */
public record LaunchContext(String patient, String encounter, List<Map<String, Object>> fhirContext, String intent,
                            Boolean needPatientBanner, String smartStyleUrl, String tenant) {

    public static final LaunchContext NONE = new LaunchContext(null, null, null, null, null, null, null);

    /** The names the context goes by on the wire, in the order they are written. */
    public static final List<String> PARAMETERS = List.of("patient", "encounter", "fhirContext", "need_patient_banner",
            "smart_style_url", "intent", "tenant");

    public LaunchContext {
        fhirContext = fhirContext == null || fhirContext.isEmpty() ? null
                : fhirContext.stream().map(o -> java.util.Collections.unmodifiableMap(new LinkedHashMap<>(o))).toList();
    }

    public static LaunchContext ofPatient(String patient) {
        return new LaunchContext(patient, null, null, null, null, null, null);
    }

    public LaunchContext withEncounter(String encounter) {
        return new LaunchContext(patient, encounter, fhirContext, intent, needPatientBanner, smartStyleUrl, tenant);
    }

    public boolean empty() {
        return toParameters().isEmpty();
    }

    /** The context as token-response members, JWT claims and introspection members (only those present). */
    public Map<String, Object> toParameters() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (patient != null) m.put("patient", patient);
        if (encounter != null) m.put("encounter", encounter);
        if (fhirContext != null) m.put("fhirContext", fhirContext);
        if (needPatientBanner != null) m.put("need_patient_banner", needPatientBanner);
        if (smartStyleUrl != null) m.put("smart_style_url", smartStyleUrl);
        if (intent != null) m.put("intent", intent);
        if (tenant != null) m.put("tenant", tenant);
        return m;
    }

    /**
     * Reads the context back from claims written by {@link #toParameters()}; members of the wrong type
     * are left out. Returns {@link #NONE} when there is none.
     */
    public static LaunchContext fromClaims(Map<String, ?> claims) {
        List<Map<String, Object>> fhirContext = null;
        if (claims.get("fhirContext") instanceof List<?> list) {
            fhirContext = new ArrayList<>();
            for (Object o : list) {
                if (o instanceof Map<?, ?> entry) {
                    Map<String, Object> copy = new LinkedHashMap<>();
                    entry.forEach((k, v) -> copy.put(String.valueOf(k), v));
                    fhirContext.add(copy);
                }
            }
        }
        return new LaunchContext(text(claims, "patient"), text(claims, "encounter"), fhirContext, text(claims, "intent"),
                claims.get("need_patient_banner") instanceof Boolean b ? b : null, text(claims, "smart_style_url"), text(claims, "tenant"));
    }

    private static String text(Map<String, ?> claims, String name) {
        return claims.get(name) instanceof String s ? s : null;
    }
}
