package dev.latch.resource;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a validated token must also carry to pass (after signature, issuer, audience and time checks):
 * scopes (any of / all of), roles (any of), and claim values (each listed claim must hold one of its values).
 * An empty rule lets every valid token through. The refusals are RFC 6750 §3.1 {@code insufficient_scope} (403),
 * with the {@code scope} attribute naming what would be enough.
 *
 * @param anyScopes   at least one of these scopes (empty: no requirement)
 * @param allScopes   every one of these scopes
 * @param anyRoles    at least one of these roles
 * @param claimValues claim path (dotted) → accepted values; a list-valued claim passes when it holds one of them
 */
public record AccessRule(Set<String> anyScopes, Set<String> allScopes, Set<String> anyRoles, Map<String, List<String>> claimValues) {

    public static final AccessRule NONE = new AccessRule(Set.of(), Set.of(), Set.of(), Map.of());

    public AccessRule {
        anyScopes = Set.copyOf(anyScopes);
        allScopes = Set.copyOf(allScopes);
        anyRoles = Set.copyOf(anyRoles);
        claimValues = Map.copyOf(claimValues);
    }

    public static AccessRule anyScope(String... scopes) {
        return new AccessRule(Set.of(scopes), Set.of(), Set.of(), Map.of());
    }

    /**
     * Checks {@code principal}.
     *
     * @throws TokenRejectedException {@link TokenRejectedException.Reason#INSUFFICIENT_SCOPE} (with the scope
     *                                attribute: the any-of scopes or the missing all-of ones, space-separated, sorted)
     *                                or {@link TokenRejectedException.Reason#FORBIDDEN} for a role or claim value
     */
    public void check(TokenPrincipal principal) {
        Set<String> held = principal.scopes();
        if (!anyScopes.isEmpty() && anyScopes.stream().noneMatch(held::contains)) {
            throw new TokenRejectedException(TokenRejectedException.Reason.INSUFFICIENT_SCOPE, "the token lacks a required scope",
                    "holds " + sorted(held), sorted(anyScopes));
        }
        List<String> missing = allScopes.stream().filter(s -> !held.contains(s)).sorted().toList();
        if (!missing.isEmpty()) {
            throw new TokenRejectedException(TokenRejectedException.Reason.INSUFFICIENT_SCOPE, "the token lacks a required scope",
                    "holds " + sorted(held), String.join(" ", missing));
        }
        if (!anyRoles.isEmpty() && anyRoles.stream().noneMatch(principal.roles()::contains)) {
            throw new TokenRejectedException(TokenRejectedException.Reason.FORBIDDEN, "the token lacks a required role",
                    "holds roles " + sorted(principal.roles()) + ", needs one of " + sorted(anyRoles), null);
        }
        for (Map.Entry<String, List<String>> required : claimValues.entrySet()) {
            boolean matched = false;
            for (Object value : ClaimPaths.values(principal.claims(), required.getKey())) {
                // string equality; a number or boolean claim is compared as its JSON text ("true", "42")
                if ((value instanceof String || value instanceof Number || value instanceof Boolean)
                        && required.getValue().contains(value.toString())) {
                    matched = true;
                    break;
                }
            }
            if (!matched) {
                throw new TokenRejectedException(TokenRejectedException.Reason.FORBIDDEN, "the token lacks a required claim value",
                        "claim " + required.getKey() + " holds none of " + required.getValue(), null);
            }
        }
    }

    private static String sorted(Set<String> values) {
        return String.join(" ", new java.util.TreeSet<>(values));
    }
}
