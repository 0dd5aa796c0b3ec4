package dev.latch.server.discovery;

import java.net.URI;

/**
 * Where each endpoint lives, derived from the issuer so that an issuer with a path
 * ({@code https://host/tenant}) keeps its endpoints under that path.
 */
public record ServerEndpoints(String issuer) {

    public String token() { return issuer + "/token"; }
    public String jwks() { return issuer + "/jwks"; }
    public String introspection() { return issuer + "/introspect"; }
    public String revocation() { return issuer + "/revoke"; }
    public String registration() { return issuer + "/register"; }
    public String par() { return issuer + "/par"; }
    public String authorization() { return issuer + "/authorize"; }
    public String endSession() { return issuer + "/logout"; }
    /** OIDC Core §5.3; routed at {@code /userinfo}, to be advertised as {@code userinfo_endpoint} by the OpenID configuration. */
    public String userinfo() { return issuer + "/userinfo"; }
    /** The page of apps with access (SMART's {@code management_endpoint}). */
    public String accountApps() { return issuer + "/account/apps"; }

    /** The issuer's path ("" for a bare host), under which every route is served. */
    public String basePath() {
        String path = URI.create(issuer).getRawPath();
        return path == null || path.equals("/") ? "" : path;
    }

    /** OIDC Discovery §4: the well-known part is appended to the issuer's path. */
    public String openidConfigurationPath() {
        return basePath() + "/.well-known/openid-configuration";
    }

    /** SMART App Launch 2.2 §"Retrieve .well-known/smart-configuration": appended to the issuer's path, as OIDC does. */
    public String smartConfigurationPath() {
        return basePath() + "/.well-known/smart-configuration";
    }

    /** RFC 8414 §3: the well-known part goes between host and issuer path. */
    public String metadataPath() {
        return "/.well-known/oauth-authorization-server" + basePath();
    }
}
