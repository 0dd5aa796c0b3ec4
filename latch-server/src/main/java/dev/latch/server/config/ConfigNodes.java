package dev.latch.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.latch.server.config.ConfigLoader.ConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reading settings out of the configuration tree, shared by {@link ConfigLoader} and the section
 * binders: sections, unknown keys, text, whole numbers, durations, lists and paths. Each failure is a
 * {@link ConfigException} naming the setting.
 */
final class ConfigNodes {

    /** Reads the file and turns declared values (clients, user claims) into plain Java maps and lists. */
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)?");

    private ConfigNodes() {}

    /** The mapping {@code name} under {@code parent} (empty when unset), its keys checked against {@code known}. */
    static JsonNode section(JsonNode parent, String name, Set<String> known) {
        return section(parent, name, name, known);
    }

    /** @param path the section's full dotted name, for messages */
    static JsonNode section(JsonNode parent, String name, String path, Set<String> known) {
        JsonNode n = parent.get(name);
        if (n == null || n.isNull()) return JsonNodeFactory.instance.objectNode();
        if (!n.isObject()) throw new ConfigException(path + ": must be a mapping");
        checkKeys(n, path, known, YamlLines.NONE);
        return n;
    }

    /** Refuses a key of the mapping {@code n} (at {@code path}) that is not in {@code known}, listing the known ones. */
    static void checkKeys(JsonNode n, String path, Set<String> known, YamlLines lines) {
        checkKeys(n, path, known, String.join(", ", new TreeSet<>(known)), lines);
    }

    /** @param knownText how the message lists the known keys */
    static void checkKeys(JsonNode n, String path, Set<String> known, String knownText, YamlLines lines) {
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String setting = path + "." + it.next();
            if (!known.contains(setting.substring(path.length() + 1))) {
                throw new ConfigException(lines.at(setting) + setting + ": unknown setting (known: " + knownText + ")");
            }
        }
    }

    /** The value of {@code name} as text, or null when unset. */
    static String text(JsonNode n, String name) {
        JsonNode v = n.get(name);
        return v == null || v.isNull() ? null : v.asText();
    }

    static String text(JsonNode n, String name, String dflt) {
        String t = text(n, name);
        return t == null ? dflt : t;
    }

    /** A whole number; {@code setting} is the full dotted name the message gives. */
    static int wholeNumber(JsonNode n, String setting, String name, int dflt) {
        String t = text(n, name);
        if (t == null) return dflt;
        try {
            return Integer.parseInt(t.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(setting + ": not a whole number (was " + t + ")");
        }
    }

    static Path path(JsonNode n, String name) {
        String t = text(n, name);
        return t == null ? null : Path.of(t);
    }

    /** A YAML list, or one comma-separated text (as the environment and the command line give it). */
    static List<String> list(JsonNode n, String name, List<String> dflt) {
        JsonNode v = n.get(name);
        if (v == null || v.isNull()) return dflt;
        List<String> out = new ArrayList<>();
        if (v.isArray()) {
            v.forEach(x -> out.add(x.asText()));
        } else {
            for (String s : v.asText().split(",")) if (!s.isBlank()) out.add(s.trim());
        }
        return List.copyOf(out);
    }

    /** A list given on the command line as entries by index ({@code claims.0.claim=…}) as an array; any other node as it is. */
    static JsonNode indexedList(JsonNode node) {
        if (!node.isObject() || node.size() == 0) return node;
        TreeMap<Integer, JsonNode> byIndex = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getKey().matches("\\d{1,3}")) return node;
            byIndex.put(Integer.parseInt(e.getKey()), e.getValue());
        }
        ArrayNode list = JsonNodeFactory.instance.arrayNode();
        byIndex.values().forEach(list::add);
        return list;
    }

    static Duration duration(JsonNode n, String setting, String name, Duration dflt) {
        String t = text(n, name);
        return t == null ? dflt : parseDuration(setting, t);
    }

    /** Parses {@code 300}, {@code 300s}, {@code 5m}, {@code 1h}, {@code 1d}, {@code 500ms} or ISO-8601 {@code PT5M}. */
    static Duration parseDuration(String setting, String text) {
        String t = text.trim();
        if (t.startsWith("P") || t.startsWith("p")) {
            try {
                return Duration.parse(t.toUpperCase(Locale.ROOT));
            } catch (DateTimeParseException e) {
                throw new ConfigException(setting + ": not a duration (was " + text + ")");
            }
        }
        Matcher m = DURATION.matcher(t);
        if (!m.matches()) {
            throw new ConfigException(setting + ": not a duration such as 300s, 5m, 1h (was " + text + ")");
        }
        String unit = m.group(2) == null ? "s" : m.group(2);
        try {
            long n = Long.parseLong(m.group(1));
            return switch (unit) {
                case "ms" -> Duration.ofMillis(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                default -> Duration.ofSeconds(n);
            };
        } catch (NumberFormatException | ArithmeticException tooLong) {
            // found by fuzzing (ConfigLoaderFuzzTest): 3099999999999999999999m was a NumberFormatException, a stack trace at start
            throw new ConfigException(setting + ": too long a duration (was " + text + ")");
        }
    }
}
