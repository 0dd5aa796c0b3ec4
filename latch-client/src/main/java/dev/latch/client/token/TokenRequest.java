package dev.latch.client.token;

import dev.latch.client.auth.ClientAssertion;
import dev.latch.client.auth.FormPost;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The grant part of a token request (RFC 6749 §4–6, RFC 7523 §2.1, RFC 8693 §2.1). Each type writes
 * its parameters into a {@link FormPost}; client authentication is added separately.
 */
public sealed interface TokenRequest {

    /**
     * Writes {@code grant_type} and the grant's parameters.
     *
     * @param issuer         the issuer, or null (used only by assertions whose audience is the issuer)
     * @param scopeSeparator between scope values: a space (RFC 6749 §3.3) unless a provider needs a comma
     */
    void writeTo(FormPost post, URI issuer, String scopeSeparator);

    /** {@code grant_type=client_credentials} with the given scope values. */
    static ClientCredentials clientCredentials(String... scopes) {
        return new ClientCredentials(List.of(scopes), List.of(), List.of(), false);
    }

    static RefreshToken refreshToken(String refreshToken, String... scopes) {
        return new RefreshToken(refreshToken, List.of(scopes));
    }

    static AuthorizationCode authorizationCode(String code, URI redirectUri, String codeVerifier) {
        return new AuthorizationCode(code, redirectUri, codeVerifier);
    }

    /** A JWT-bearer grant whose assertion is made anew for every request (e.g. a Google service account). */
    static JwtBearer jwtBearer(ClientAssertion assertion, String... scopes) {
        return new JwtBearer(null, Objects.requireNonNull(assertion, "assertion"), List.of(scopes));
    }

    /** A JWT-bearer grant with an assertion obtained elsewhere (e.g. from another issuer). */
    static JwtBearer jwtBearer(String assertion, String... scopes) {
        return new JwtBearer(Objects.requireNonNull(assertion, "assertion"), null, List.of(scopes));
    }

    static TokenExchange.Builder tokenExchange(String subjectToken, String subjectTokenType) {
        return new TokenExchange.Builder(subjectToken, subjectTokenType);
    }

    private static String join(List<String> scopes, String separator) {
        return scopes.isEmpty() ? null : String.join(separator, scopes);
    }

    /**
     * RFC 6749 §4.4. {@code resource} (RFC 8707) and {@code audience} are separate explicit options
     * because providers differ (Auth0 and Latch take {@code audience}, Entra v1 and RFC 8707 servers
     * {@code resource}); {@code openid} is added to the scope only when asked, for providers that want it.
     */
    record ClientCredentials(List<String> scopes, List<String> resources, List<String> audiences, boolean openid)
            implements TokenRequest {
        public ClientCredentials {
            scopes = List.copyOf(scopes);
            resources = List.copyOf(resources);
            audiences = List.copyOf(audiences);
        }

        public ClientCredentials withScopes(String... more) {
            return new ClientCredentials(concat(scopes, List.of(more)), resources, audiences, openid);
        }

        /** Adds a {@code resource} parameter (RFC 8707). */
        public ClientCredentials withResource(String resource) {
            return new ClientCredentials(scopes, concat(resources, List.of(resource)), audiences, openid);
        }

        /** Adds an {@code audience} parameter. */
        public ClientCredentials withAudience(String audience) {
            return new ClientCredentials(scopes, resources, concat(audiences, List.of(audience)), openid);
        }

        /** Sends {@code openid} among the scope values (a quirk some providers need for client credentials). */
        public ClientCredentials withOpenid() {
            return new ClientCredentials(scopes, resources, audiences, true);
        }

        /** The scope values as sent, {@code openid} first when asked for. */
        public List<String> effectiveScopes() {
            if (!openid || scopes.contains("openid")) {
                return scopes;
            }
            return concat(List.of("openid"), scopes);
        }

        @Override
        public void writeTo(FormPost post, URI issuer, String scopeSeparator) {
            post.add("grant_type", "client_credentials").add("scope", join(effectiveScopes(), scopeSeparator));
            resources.forEach(r -> post.add("resource", r));
            audiences.forEach(a -> post.add("audience", a));
        }
    }

    /** RFC 6749 §6; the scope may only narrow what was granted. */
    record RefreshToken(String refreshToken, List<String> scopes) implements TokenRequest {
        public RefreshToken {
            if (refreshToken == null || refreshToken.isEmpty()) {
                throw new IllegalArgumentException("refresh token is required");
            }
            scopes = List.copyOf(scopes);
        }

        @Override
        public void writeTo(FormPost post, URI issuer, String scopeSeparator) {
            post.add("grant_type", "refresh_token").add("refresh_token", refreshToken).add("scope", join(scopes, scopeSeparator));
        }

        @Override
        public String toString() {
            return "RefreshToken[scopes=" + scopes + "]";
        }
    }

    /** RFC 6749 §4.1.3 with the PKCE {@code code_verifier} (RFC 7636 §4.5). */
    record AuthorizationCode(String code, URI redirectUri, String codeVerifier) implements TokenRequest {
        public AuthorizationCode {
            if (code == null || code.isEmpty()) {
                throw new IllegalArgumentException("authorization code is required");
            }
        }

        @Override
        public void writeTo(FormPost post, URI issuer, String scopeSeparator) {
            post.add("grant_type", "authorization_code").add("code", code)
                    .add("redirect_uri", redirectUri == null ? null : redirectUri.toString()).add("code_verifier", codeVerifier);
        }

        @Override
        public String toString() {
            return "AuthorizationCode[redirectUri=" + redirectUri + "]";
        }
    }

    /**
     * RFC 7523 §2.1: {@code grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer}, {@code assertion}
     * (one JWT) and optional {@code scope}.
     */
    record JwtBearer(String assertion, ClientAssertion assertionMaker, List<String> scopes) implements TokenRequest {
        public static final String GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer";

        public JwtBearer {
            scopes = List.copyOf(scopes);
            if ((assertion == null) == (assertionMaker == null)) {
                throw new IllegalArgumentException("exactly one of an assertion or an assertion maker is required");
            }
        }

        @Override
        public void writeTo(FormPost post, URI issuer, String scopeSeparator) {
            post.add("grant_type", GRANT_TYPE)
                    .add("assertion", assertion != null ? assertion : assertionMaker.sign(issuer, post.url()))
                    .add("scope", join(scopes, scopeSeparator));
        }

        @Override
        public String toString() {
            return "JwtBearer[" + (assertionMaker != null ? assertionMaker : "given assertion") + ", scopes=" + scopes + "]";
        }
    }

    /** RFC 8693 §2.1 token exchange. */
    record TokenExchange(String subjectToken, String subjectTokenType, String actorToken, String actorTokenType,
                         String requestedTokenType, List<String> resources, List<String> audiences, List<String> scopes)
            implements TokenRequest {
        public static final String GRANT_TYPE = "urn:ietf:params:oauth:grant-type:token-exchange";
        /** RFC 8693 §3 token type identifiers. */
        public static final String ACCESS_TOKEN = "urn:ietf:params:oauth:token-type:access_token";
        public static final String REFRESH_TOKEN = "urn:ietf:params:oauth:token-type:refresh_token";
        public static final String ID_TOKEN = "urn:ietf:params:oauth:token-type:id_token";
        public static final String JWT = "urn:ietf:params:oauth:token-type:jwt";
        public static final String SAML1 = "urn:ietf:params:oauth:token-type:saml1";
        public static final String SAML2 = "urn:ietf:params:oauth:token-type:saml2";

        public TokenExchange {
            if (subjectToken == null || subjectToken.isEmpty() || subjectTokenType == null || subjectTokenType.isEmpty()) {
                throw new IllegalArgumentException("subject_token and subject_token_type are required (RFC 8693 §2.1)");
            }
            if ((actorToken == null) != (actorTokenType == null)) {
                throw new IllegalArgumentException("actor_token_type is required with actor_token and only with it (RFC 8693 §2.1)");
            }
            resources = List.copyOf(resources);
            audiences = List.copyOf(audiences);
            scopes = List.copyOf(scopes);
        }

        @Override
        public void writeTo(FormPost post, URI issuer, String scopeSeparator) {
            post.add("grant_type", GRANT_TYPE);
            resources.forEach(r -> post.add("resource", r));
            audiences.forEach(a -> post.add("audience", a));
            post.add("scope", join(scopes, scopeSeparator))
                    .add("requested_token_type", requestedTokenType)
                    .add("subject_token", subjectToken).add("subject_token_type", subjectTokenType)
                    .add("actor_token", actorToken).add("actor_token_type", actorTokenType);
        }

        @Override
        public String toString() {
            return "TokenExchange[subjectTokenType=" + subjectTokenType + ", requestedTokenType=" + requestedTokenType
                    + ", resources=" + resources + ", audiences=" + audiences + ", scopes=" + scopes + "]";
        }

        public static final class Builder {
            private final String subjectToken;
            private final String subjectTokenType;
            private String actorToken;
            private String actorTokenType;
            private String requestedTokenType;
            private final List<String> resources = new ArrayList<>();
            private final List<String> audiences = new ArrayList<>();
            private final List<String> scopes = new ArrayList<>();

            Builder(String subjectToken, String subjectTokenType) {
                this.subjectToken = subjectToken;
                this.subjectTokenType = subjectTokenType;
            }

            public Builder actor(String actorToken, String actorTokenType) {
                this.actorToken = actorToken;
                this.actorTokenType = actorTokenType;
                return this;
            }

            public Builder requestedTokenType(String type) {
                this.requestedTokenType = type;
                return this;
            }

            public Builder resource(String resource) {
                resources.add(resource);
                return this;
            }

            public Builder audience(String audience) {
                audiences.add(audience);
                return this;
            }

            public Builder scope(String... values) {
                scopes.addAll(List.of(values));
                return this;
            }

            public TokenExchange build() {
                return new TokenExchange(subjectToken, subjectTokenType, actorToken, actorTokenType, requestedTokenType,
                        resources, audiences, scopes);
            }
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return List.copyOf(out);
    }
}
