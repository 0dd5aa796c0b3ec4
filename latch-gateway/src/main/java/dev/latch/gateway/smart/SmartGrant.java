package dev.latch.gateway.smart;

import dev.latch.core.smart.SmartScope;
import dev.latch.core.smart.SmartScope.Context;
import dev.latch.core.smart.SmartScope.Permission;
import dev.latch.core.smart.SmartScopes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * What one SMART access token grants at the FHIR front: its clinical scopes (read by latch-core's
 * {@link SmartScope}, the one scope grammar) and the patient in context (the {@code patient} claim of the
 * token response, carried in the access token). {@code patient/} scopes grant nothing without a patient in
 * context; scopes restricted by parameters the gateway cannot check ({@link ScopeRestrictions}) grant nothing.
 *
 * @param scopes        the clinical scopes that grant something here
 * @param patient       the patient id in context, or null
 * @param unenforceable scopes left out because their restrictions cannot be enforced (named in refusals)
 * @param withoutPatient true when {@code patient/} scopes were left out for want of a patient in context
 */
public record SmartGrant(List<SmartScope> scopes, String patient, List<String> unenforceable, boolean withoutPatient) {

    public SmartGrant {
        scopes = List.copyOf(scopes);
        unenforceable = List.copyOf(unenforceable);
    }

    /**
     * @param scopes the token's scopes (space-separated {@code scope} already split)
     * @param claims the token's claims; {@code patient} is read, and ignored unless it is a FHIR id
     */
    public static SmartGrant of(Collection<String> scopes, Map<String, Object> claims) {
        Object p = claims.get("patient");
        String patient = p instanceof String s && FhirRequest.ID.matcher(s).matches() ? s : null;
        List<SmartScope> usable = new ArrayList<>();
        List<String> unenforceable = new ArrayList<>();
        boolean withoutPatient = false;
        for (SmartScope scope : SmartScopes.clinical(scopes)) {
            if (!ScopeRestrictions.enforceable(scope)) {
                unenforceable.add(scope.text());
            } else if (scope.context() != Context.PATIENT || patient != null) {
                usable.add(scope);
            } else {
                withoutPatient = true;
            }
        }
        return new SmartGrant(usable, patient, unenforceable, withoutPatient);
    }

    /** The scopes granting {@code permission} on {@code type} ({@code *} asks for a scope on every type). */
    List<SmartScope> granting(String type, Permission permission) {
        List<SmartScope> out = new ArrayList<>(2);
        for (SmartScope s : scopes) {
            if (s.allows(type, permission)) out.add(s);
        }
        return out;
    }

    /** True when a {@code user/} or {@code system/} scope without restrictions grants it: nothing more to check. */
    boolean open(String type, Permission permission) {
        for (SmartScope s : scopes) {
            if (s.context() != Context.PATIENT && s.restrictions().isEmpty() && s.allows(type, permission)) return true;
        }
        return false;
    }

    /** True when only {@code patient/} scopes grant it: the request is confined to the patient's compartment. */
    boolean patientOnly(String type, Permission permission) {
        boolean any = false;
        for (SmartScope s : scopes) {
            if (!s.allows(type, permission)) continue;
            if (s.context() != Context.PATIENT) return false;
            any = true;
        }
        return any;
    }
}
