package dev.latch.resource;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What both HTTP filters decide for a request, independent of the server API: the RFC 6750 §2.1 header only
 * (a token in the URI query, §2.3, is refused, as is the form-body method of §2.2, which these filters never
 * read), the token validated, then the {@link AccessRule}.
 */
final class BearerCheck {

    private static final Logger LOG = LoggerFactory.getLogger(BearerCheck.class);

    private final AccessTokenValidator validator;
    private final AccessRule rule;
    private final String resourceMetadata;

    /** @param resourceMetadata the RFC 9728 protected-resource metadata URL for challenges, or null */
    BearerCheck(AccessTokenValidator validator, AccessRule rule, String resourceMetadata) {
        this.validator = Objects.requireNonNull(validator, "validator");
        this.rule = Objects.requireNonNull(rule, "rule");
        this.resourceMetadata = resourceMetadata;
    }

    AccessTokenValidator validator() {
        return validator;
    }

    /**
     * @param authorization the {@code Authorization} header value, or null
     * @param rawQuery      the request URI's raw query, or null
     * @throws TokenRejectedException why the request is refused
     */
    TokenPrincipal admit(String authorization, String rawQuery) {
        try {
            if (hasQueryToken(rawQuery)) {
                throw new TokenRejectedException(TokenRejectedException.Reason.MALFORMED,
                        "access tokens in the URI are not accepted; send them in the Authorization header",
                        "access_token query parameter (RFC 6750 §2.3 not supported)", null);
            }
            TokenPrincipal principal = validator.authenticate(authorization);
            rule.check(principal);
            return principal;
        } catch (TokenRejectedException e) {
            // the message carries the reason and detail, never the token
            LOG.debug("refused: {} {}", e.reason(), e.getMessage());
            throw e;
        }
    }

    /** The {@code WWW-Authenticate} value answering {@code refusal}. */
    String challenge(TokenRejectedException refusal) {
        return refusal.wwwAuthenticate(resourceMetadata);
    }

    /** True when the query has an {@code access_token} parameter (its name percent-encoded or not). */
    static boolean hasQueryToken(String rawQuery) {
        if (rawQuery == null || (rawQuery.indexOf("access") < 0 && rawQuery.indexOf('%') < 0)) {
            return false; // the common case, decided without splitting the query
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            try {
                name = URLDecoder.decode(name, StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                // a broken escape: compare the name as it is
            }
            if ("access_token".equals(name)) {
                return true;
            }
        }
        return false;
    }
}
