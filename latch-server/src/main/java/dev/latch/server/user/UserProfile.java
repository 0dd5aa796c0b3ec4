package dev.latch.server.user;

import java.util.List;
import java.util.Map;

/**
 * What an operator says about a user (CLI, YAML): everything but the subject, the password and the
 * timestamps, which {@link UserRegistry} looks after.
 *
 * @param claims OIDC Core §5.1 standard claims ({@link StandardClaims}); null for none
 * @param roles    role names; null for none
 * @param fhirUser SMART {@code fhirUser}, a relative reference such as {@code Practitioner/123} ({@link FhirUser}); null for none
 */
public record UserProfile(String username, Map<String, ?> claims, List<String> roles, boolean enabled, String fhirUser) {

    /** A profile without a FHIR resource. */
    public UserProfile(String username, Map<String, ?> claims, List<String> roles, boolean enabled) {
        this(username, claims, roles, enabled, null);
    }
}
