package dev.latch.server.session;

import java.util.List;
import java.util.Map;

/**
 * An authorization request waiting for the user, bound to the browser that started it.
 *
 * @param parameters the request's parameters (after a pushed request was resolved)
 * @param pushed     true when the parameters came from a pushed authorization request (RFC 9126)
 * @param subject    who signed in during this interaction, or null before login
 */
public record Interaction(String id, Map<String, List<String>> parameters, boolean pushed, String subject) {}
