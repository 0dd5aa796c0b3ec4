package dev.latch.server.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Checks audit lines: each is one JSON object of the documented schema (docs/audit.md), and none holds
 * any of a set of secrets, in its raw text or in a decoded value. Secrets are looked up by their first
 * {@code prefix} characters at every position of a line, so a whole suite's lines against all its secrets
 * costs a hash lookup per character rather than a search per secret.
 */
final class AuditLogCheck {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern TS = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
    static final Set<String> EVENTS = Arrays.stream(AuditEvent.values()).map(AuditEvent::eventName).collect(Collectors.toSet());
    static final Set<String> KEYS = Arrays.stream(Audit.Field.values()).map(f -> f.key).collect(Collectors.toSet());

    private final int prefix;
    private final Map<String, List<String>> byPrefix = new HashMap<>();

    /** @param prefix the shortest secret's length; shorter secrets are ignored */
    AuditLogCheck(Collection<String> secrets, int prefix) {
        this.prefix = prefix;
        for (String s : secrets) {
            if (s.length() >= prefix) {
                byPrefix.computeIfAbsent(s.substring(0, prefix), k -> new ArrayList<>(1)).add(s);
            }
        }
    }

    /** Problems of one line (number {@code n}, 1-based): schema violations and secrets found; empty when it is fine. */
    List<String> check(int n, String line) {
        List<String> problems = new ArrayList<>();
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (IOException e) {
            node = null;
        }
        if (node == null || !node.isObject()) {
            problems.add("line " + n + " is not a JSON object: " + abbreviated(line));
        } else {
            schema(n, node, problems);
        }
        StringBuilder text = new StringBuilder(line);
        if (node != null && node.isObject()) {
            node.elements().forEachRemaining(v -> text.append('\n').append(v.asText()));
        }
        for (String secret : secretsIn(text.toString())) {
            problems.add("line " + n + " holds a secret the suite used (" + secret.substring(0, Math.min(6, secret.length())) + "…): "
                    + abbreviated(line));
        }
        return problems;
    }

    private static void schema(int n, JsonNode node, List<String> problems) {
        if (!TS.matcher(node.path("ts").asText()).matches()) {
            problems.add("line " + n + ": ts is not an ISO-8601 UTC time with milliseconds");
        }
        if (!EVENTS.contains(node.path("event").asText())) {
            problems.add("line " + n + ": unknown event " + node.path("event"));
        }
        String outcome = node.path("outcome").asText();
        if (!outcome.equals("success") && !outcome.equals("failure")) {
            problems.add("line " + n + ": outcome is neither success nor failure");
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!name.equals("ts") && !name.equals("event") && !name.equals("outcome") && !KEYS.contains(name)) {
                problems.add("line " + n + ": field " + name + " is not in the schema");
            }
        }
    }

    private List<String> secretsIn(String text) {
        List<String> found = new ArrayList<>();
        for (int i = 0; i + prefix <= text.length(); i++) {
            List<String> candidates = byPrefix.get(text.substring(i, i + prefix));
            if (candidates != null) {
                for (String secret : candidates) {
                    if (text.startsWith(secret, i) && !found.contains(secret)) {
                        found.add(secret);
                    }
                }
            }
        }
        return found;
    }

    private static String abbreviated(String line) {
        return line.length() > 300 ? line.substring(0, 300) + "…" : line;
    }
}
