package dev.latch.server.user;

import java.util.List;
import java.util.Map;

/**
 * A person who signs in. {@code subject} is the OpenID Connect {@code sub}: generated once, never
 * changed, never the username and never reused (OIDC Core §2, §5.7).
 *
 * @param claims       standard claims of OIDC Core §5.1 this user has (name, given_name, family_name,
 *                     email, email_verified, phone_number, address, …), by claim name
 * @param roles        roles/groups, mapped into tokens by the claim mappings
 * @param passwordHash Argon2id PHC string ({@code $argon2id$v=19$m=…,t=…,p=…$salt$hash}); null when the user has no password
 * @param fhirUser     SMART: the FHIR resource that is this person, relative ({@code Practitioner/123}, {@link FhirUser}); null for none
 */
public record User(String subject, String username, Map<String, Object> claims, List<String> roles, String passwordHash,
                   boolean enabled, long createdAt, long updatedAt, String fhirUser) {

    /** A user without a FHIR resource. */
    public User(String subject, String username, Map<String, Object> claims, List<String> roles, String passwordHash,
                boolean enabled, long createdAt, long updatedAt) {
        this(subject, username, claims, roles, passwordHash, enabled, createdAt, updatedAt, null);
    }
}
