package dev.latch.client.auth;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;

/**
 * How a client authenticates at the token endpoint (RFC 6749 §2.3, OIDC Core §9, RFC 7523 §2.2),
 * named as in RFC 7591 {@code token_endpoint_auth_method}. Each method adds its part to a
 * {@link FormPost}; assertion methods sign a fresh assertion for every request.
 */
public sealed interface ClientAuthentication {

    String CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    String clientId();

    /** The RFC 7591 name: {@code none}, {@code client_secret_basic}, … */
    String method();

    /**
     * Adds this authentication to {@code post}.
     *
     * @param issuer the authorization server's issuer, or null when only the token endpoint is known
     *               (then an assertion whose audience policy is ISSUER cannot be made)
     */
    void apply(FormPost post, URI issuer);

    /** A public client: only {@code client_id} in the form. */
    static ClientAuthentication none(String clientId) {
        return new None(clientId);
    }

    static ClientAuthentication clientSecretBasic(String clientId, String secret) {
        return new ClientSecretBasic(clientId, secret);
    }

    static ClientAuthentication clientSecretPost(String clientId, String secret) {
        return new ClientSecretPost(clientId, secret);
    }

    /** {@code client_secret_jwt}: an assertion built with {@link ClientAssertion.Builder#secret}. */
    static ClientAuthentication clientSecretJwt(ClientAssertion assertion) {
        return new ClientSecretJwt(assertion);
    }

    /** {@code private_key_jwt}: an assertion built with {@link ClientAssertion.Builder#key}. */
    static ClientAuthentication privateKeyJwt(ClientAssertion assertion) {
        return new PrivateKeyJwt(assertion);
    }

    record None(String clientId) implements ClientAuthentication {
        public None {
            requireClientId(clientId);
        }

        @Override public String method() { return "none"; }

        @Override
        public void apply(FormPost post, URI issuer) {
            post.add("client_id", clientId);
        }
    }

    /**
     * RFC 6749 §2.3.1: client id and secret are each {@code application/x-www-form-urlencoded} before
     * they are joined by {@code :} and base64-encoded, so a {@code :} or non-ASCII character survives.
     */
    record ClientSecretBasic(String clientId, String secret) implements ClientAuthentication {
        public ClientSecretBasic {
            requireClientId(clientId);
            requireSecret(secret);
        }

        @Override public String method() { return "client_secret_basic"; }

        @Override
        public void apply(FormPost post, URI issuer) {
            String credentials = FormPost.formEncode(clientId) + ":" + FormPost.formEncode(secret);
            post.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
        }

        @Override
        public String toString() {
            return "ClientSecretBasic[clientId=" + clientId + "]";
        }
    }

    record ClientSecretPost(String clientId, String secret) implements ClientAuthentication {
        public ClientSecretPost {
            requireClientId(clientId);
            requireSecret(secret);
        }

        @Override public String method() { return "client_secret_post"; }

        @Override
        public void apply(FormPost post, URI issuer) {
            post.add("client_id", clientId).add("client_secret", secret);
        }

        @Override
        public String toString() {
            return "ClientSecretPost[clientId=" + clientId + "]";
        }
    }

    record ClientSecretJwt(ClientAssertion assertion) implements ClientAuthentication {
        public ClientSecretJwt {
            Objects.requireNonNull(assertion, "assertion");
            if (!assertion.isHmac()) {
                throw new IllegalArgumentException("client_secret_jwt needs an HMAC assertion (HS256/384/512), not " + assertion.algorithm());
            }
        }

        @Override public String clientId() { return assertion.clientId(); }
        @Override public String method() { return "client_secret_jwt"; }

        @Override
        public void apply(FormPost post, URI issuer) {
            applyAssertion(post, clientId(), assertion.sign(issuer, post.url()));
        }
    }

    record PrivateKeyJwt(ClientAssertion assertion) implements ClientAuthentication {
        public PrivateKeyJwt {
            Objects.requireNonNull(assertion, "assertion");
            if (assertion.isHmac()) {
                throw new IllegalArgumentException("private_key_jwt needs an asymmetric algorithm, not " + assertion.algorithm());
            }
        }

        @Override public String clientId() { return assertion.clientId(); }
        @Override public String method() { return "private_key_jwt"; }

        @Override
        public void apply(FormPost post, URI issuer) {
            applyAssertion(post, clientId(), assertion.sign(issuer, post.url()));
        }
    }

    /** RFC 7523 §2.2; {@code client_id} is sent too (RFC 7521 §4.2 allows it, Entra ID requires it). */
    private static void applyAssertion(FormPost post, String clientId, String jwt) {
        post.add("client_id", clientId).add("client_assertion_type", CLIENT_ASSERTION_TYPE).add("client_assertion", jwt);
    }

    private static void requireClientId(String clientId) {
        if (clientId == null || clientId.isEmpty()) {
            throw new IllegalArgumentException("client id is required");
        }
    }

    private static void requireSecret(String secret) {
        if (secret == null || secret.isEmpty()) {
            throw new IllegalArgumentException("client secret is required");
        }
    }
}
