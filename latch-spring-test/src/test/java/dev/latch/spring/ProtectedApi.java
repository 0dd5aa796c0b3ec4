package dev.latch.spring;

import java.util.Map;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The smallest Spring Boot resource server, as the guide shows it: Spring Boot's own security
 * defaults (every request needs a bearer JWT) and one property, the issuer.
 */
@SpringBootApplication
@RestController
public class ProtectedApi {

    // guide:start
    @GetMapping("/hello")
    public Map<String, Object> hello(@AuthenticationPrincipal Jwt jwt) {
        return Map.of("subject", jwt.getSubject(), "client_id", jwt.getClaimAsString("client_id"), "scope", jwt.getClaimAsString("scope"));
    }
    // guide:end
}
