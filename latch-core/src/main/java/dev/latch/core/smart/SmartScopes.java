package dev.latch.core.smart;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The SMART App Launch 2.2 scope vocabulary beyond clinical scopes ({@code launch}, {@code fhirUser},
 * {@code offline_access}, …) and the one rule for whether a set of allowed scopes covers a requested one:
 * clinical scopes by {@link SmartScope#covers}, wildcards included; every other scope by its exact name.
 */
public final class SmartScopes {

    private SmartScopes() {}

    /** SMART's own non-clinical scopes with what they mean to the person asked. */
    public static final Map<String, String> LAUNCH_AND_IDENTITY;

    static {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("launch", "Open in the context the EHR launched the app with (the patient and visit on screen)");
        m.put("launch/patient", "Know which patient record is selected");
        m.put("launch/encounter", "Know which visit (encounter) is selected");
        m.put("openid", "Confirm who you are");
        m.put("fhirUser", "Know who you are in the health record (your Patient, Practitioner or related-person record)");
        m.put("profile", "See your name and basic profile");
        m.put("offline_access", "Keep access when you are not using the app, until you withdraw it");
        m.put("online_access", "Keep access while you are using the app");
        LAUNCH_AND_IDENTITY = java.util.Collections.unmodifiableMap(m);
    }

    /**
     * True when one of {@code allowed} covers {@code asked}.
     *
     * @throws IllegalArgumentException when {@code asked} is written as a clinical scope but malformed
     */
    public static boolean covered(Collection<String> allowed, String asked) {
        if (!SmartScope.isClinical(asked)) {
            return allowed.contains(asked);
        }
        SmartScope wanted = SmartScope.parse(asked);
        for (String a : allowed) {
            if (a.equals(asked)) return true;
            if (SmartScope.isClinical(a) && parsedOrNull(a) instanceof SmartScope s && s.covers(wanted)) return true;
        }
        return false;
    }

    /** The clinical scopes among {@code scopes}; malformed ones are left out (they were refused when granted). */
    public static List<SmartScope> clinical(Collection<String> scopes) {
        List<SmartScope> out = new ArrayList<>();
        for (String s : scopes) {
            if (SmartScope.isClinical(s) && parsedOrNull(s) instanceof SmartScope parsed) out.add(parsed);
        }
        return out;
    }

    /**
     * True when the space-separated {@code scope} holds a well-formed {@code system/} scope: a SMART
     * Backend Services token (short-lived, no refresh token, aimed at the FHIR server).
     */
    public static boolean hasSystemScope(String scope) {
        if (scope == null || scope.isBlank()) return false;
        for (SmartScope s : clinical(List.of(scope.trim().split(" +")))) {
            if (s.context() == SmartScope.Context.SYSTEM) return true;
        }
        return false;
    }

    /** A description for people of a SMART scope (clinical or launch/identity), or empty for any other scope. */
    public static Optional<String> describe(String scope) {
        String known = LAUNCH_AND_IDENTITY.get(scope);
        if (known != null) return Optional.of(known);
        if (SmartScope.isClinical(scope) && parsedOrNull(scope) instanceof SmartScope s) return Optional.of(s.describe());
        return Optional.empty();
    }

    private static SmartScope parsedOrNull(String scope) {
        try {
            return SmartScope.parse(scope);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
