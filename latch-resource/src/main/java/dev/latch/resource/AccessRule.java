package dev.latch.resource;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a validated token must also carry to pass (after signature, issuer, audience and time checks):
 * scopes (any of / all of), roles (any of), and claim values (each listed claim must hold one of its values).
 * An empty rule lets every valid token through.
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
        throw new UnsupportedOperationException("implemented by the resource helper");
    }
}
