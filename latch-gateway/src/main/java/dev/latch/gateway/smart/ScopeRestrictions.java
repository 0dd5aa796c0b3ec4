package dev.latch.gateway.smart;

import com.fasterxml.jackson.databind.JsonNode;
import dev.latch.core.smart.SmartScope;
import java.util.List;
import java.util.Set;

/**
 * The SMART v2 scope restrictions the gateway can enforce ({@code patient/Observation.rs?category=laboratory}):
 * only the token parameters {@code category}, {@code code} and {@code status}, whose value is checked on the
 * element of the same name of each resource read back (a {@code code}, a CodeableConcept, or a list of either),
 * as {@code system|code}, {@code |code} (no system), or {@code code} (any system); a comma means "or", as in a
 * search. A scope restricted by any other parameter cannot be enforced, so it grants nothing at the gateway.
 */
public final class ScopeRestrictions {

    /** The parameters whose restrictions are enforced. */
    public static final Set<String> SUPPORTED = Set.of("category", "code", "status");

    private ScopeRestrictions() {}

    /** True when every restriction of {@code scope} is one the gateway enforces. */
    public static boolean enforceable(SmartScope scope) {
        for (SmartScope.Restriction r : scope.restrictions()) {
            if (!SUPPORTED.contains(r.parameter()) || r.value().isEmpty()) return false;
        }
        return true;
    }

    /** True when {@code resource} meets every restriction (they are joined by "and", as in a search). */
    public static boolean matches(List<SmartScope.Restriction> restrictions, JsonNode resource) {
        for (SmartScope.Restriction r : restrictions) {
            if (!matches(r, resource.get(r.parameter()))) return false;
        }
        return true;
    }

    private static boolean matches(SmartScope.Restriction r, JsonNode element) {
        if (element == null || element.isNull()) return false;
        for (String alternative : r.value().split(",")) {
            if (alternative.isEmpty()) continue;
            int bar = alternative.indexOf('|');
            String system = bar < 0 ? null : alternative.substring(0, bar);
            String code = bar < 0 ? alternative : alternative.substring(bar + 1);
            if (matchesAny(element, system, code)) return true;
        }
        return false;
    }

    private static boolean matchesAny(JsonNode element, String system, String code) {
        if (element.isArray()) {
            for (JsonNode item : element) {
                if (matchesAny(item, system, code)) return true;
            }
            return false;
        }
        if (element.isTextual()) {
            // a plain code (Observation.status, AllergyIntolerance.category): its system is implied by the element
            return system == null && element.asText().equals(code);
        }
        for (JsonNode coding : element.path("coding")) {
            if (!code.equals(coding.path("code").asText(null))) continue;
            JsonNode s = coding.get("system");
            if (system == null) return true;
            if (system.isEmpty() ? s == null : s != null && system.equals(s.asText())) return true;
        }
        return false;
    }
}
