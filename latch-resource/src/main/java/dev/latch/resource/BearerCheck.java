package dev.latch.resource;

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
            return validator.admit(authorization, rawQuery, rule);
        } catch (TokenRejectedException e) {
            // the message carries the reason and detail, never the token
            LOG.debug("refused: {} {}", e.reason(), e.getMessage());
            throw e;
        }
    }

    /** The headers answering {@code refusal} ({@link TokenRejectedException#headers}). */
    java.util.Map<String, String> headers(TokenRejectedException refusal) {
        return refusal.headers(resourceMetadata);
    }
}
