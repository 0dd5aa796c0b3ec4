package dev.latch.server.session;

import dev.latch.core.smart.LaunchContext;
import java.util.List;
import java.util.Map;

/**
 * An authorization request waiting for the user, bound to the browser that started it.
 *
 * @param parameters the request's parameters (after a pushed request was resolved)
 * @param pushed     true when the parameters came from a pushed authorization request (RFC 9126)
 * @param subject    who signed in during this interaction, or null before login
 * @param launch     the SMART launch context the user chose (patient picker), or null
 */
public record Interaction(String id, Map<String, List<String>> parameters, boolean pushed, String subject, LaunchContext launch) {}
