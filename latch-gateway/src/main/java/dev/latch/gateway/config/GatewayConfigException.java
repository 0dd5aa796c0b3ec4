package dev.latch.gateway.config;

import java.util.List;

/**
 * The configuration cannot be used. Holds every problem found, each one line naming where it is:
 * {@code gateway.yaml:14: routes[1].upstream: must be an absolute http(s) URL (was "ftp://x")}, or the
 * environment variable or flag ({@code LATCH_GATEWAY_PORT: must be 0-65535 (was "x")}).
 */
public final class GatewayConfigException extends RuntimeException {

    private final List<String> problems;

    public GatewayConfigException(List<String> problems) {
        super(String.join("\n", problems));
        this.problems = List.copyOf(problems);
    }

    /** Every problem, in the order found (mostly file order), one line each. */
    public List<String> problems() {
        return problems;
    }
}
