package dev.latch.server.userinfo;

import dev.latch.server.user.User;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** OIDC Core §5.4: the standard claims each scope value asks for. */
public final class StandardClaims {

    static final Map<String, List<String>> BY_SCOPE = Map.of(
            "profile", List.of("name", "family_name", "given_name", "middle_name", "nickname", "preferred_username", "profile",
                    "picture", "website", "gender", "birthdate", "zoneinfo", "locale", "updated_at"),
            "email", List.of("email", "email_verified"),
            "address", List.of("address"),
            "phone", List.of("phone_number", "phone_number_verified"));

    private StandardClaims() {}

    /**
     * The user's standard claims for the granted scopes. {@code preferred_username} defaults to the
     * username and {@code updated_at} to the record's last change, as OIDC Core §5.1 describes them.
     */
    public static Map<String, Object> of(User user, Collection<String> scopes) {
        Map<String, Object> have = new LinkedHashMap<>(user.claims() == null ? Map.of() : user.claims());
        have.putIfAbsent("preferred_username", user.username());
        have.putIfAbsent("updated_at", user.updatedAt());
        Map<String, Object> out = new LinkedHashMap<>();
        for (String scope : List.of("profile", "email", "address", "phone")) {
            if (!scopes.contains(scope)) continue;
            for (String claim : BY_SCOPE.get(scope)) {
                Object v = have.get(claim);
                if (v != null) out.put(claim, v);
            }
        }
        return out;
    }
}
