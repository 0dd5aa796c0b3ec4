package dev.latch.cli.jwt;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** JSON as the toolbox commands print and read it: two-space indentation, values typed as a person means them. */
public final class JsonText {

    // duplicate members are refused: a JOSE header with two "alg" members means whatever the reader picks
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_LONG_FOR_INTS);

    private static final ObjectWriter PRETTY = MAPPER.writer(new DefaultPrettyPrinter()
            .withSeparators(Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER))
            .withArrayIndenter(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE.withLinefeed("\n"))
            .withObjectIndenter(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE.withLinefeed("\n")));

    private JsonText() {}

    /** {@code value} as indented JSON ({@code "key": value}, LF line ends). */
    public static String pretty(Object value) {
        try {
            return PRETTY.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot print JSON: " + e.getMessage(), e);
        }
    }

    /** {@code value} as compact JSON, members in the order given (for JOSE headers and claims as the user wrote them). */
    public static String compact(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
        }
    }

    /** Parses a JSON object; the message of the exception says why it is not one. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> parseObject(String text) throws JsonProcessingException {
        JsonNode node = MAPPER.readTree(text);
        if (node == null || !node.isObject()) {
            throw new JsonProcessingException("not a JSON object") {};
        }
        return MAPPER.convertValue(node, Map.class);
    }

    /**
     * A value given as {@code k=v} on the command line: JSON when it is JSON (numbers, {@code true},
     * {@code false}, {@code null}, objects, arrays, quoted strings), otherwise the text as a string.
     */
    public static Object value(String text) {
        try {
            JsonNode node = MAPPER.readTree(text);
            return node == null || node.isMissingNode() ? text : MAPPER.convertValue(node, Object.class);
        } catch (JsonProcessingException notJson) {
            return text;
        }
    }

    /** An instant as UTC with its distance from {@code now}: {@code 2025-01-01T00:00:00Z (in 4m 10s)}. */
    public static String time(Instant at, Instant now) {
        return at + " (" + relative(at, now) + ")";
    }

    /** {@code in 4m 10s}, {@code 2h ago}, {@code now}: the two largest units. */
    public static String relative(Instant at, Instant now) {
        Duration d = Duration.between(now, at);
        if (d.getSeconds() == 0) {
            return "now";
        }
        String amount = amount(d.abs());
        return d.isNegative() ? amount + " ago" : "in " + amount;
    }

    /** {@code 4m 10s}, {@code 2h}, {@code 3d 4h}: the two largest non-zero units of a duration. */
    public static String amount(Duration d) {
        long seconds = d.getSeconds();
        long[] values = {seconds / 86_400, seconds % 86_400 / 3600, seconds % 3600 / 60, seconds % 60};
        String[] units = {"d", "h", "m", "s"};
        StringBuilder out = new StringBuilder();
        int first = -1;
        for (int i = 0; i < values.length; i++) {
            if (values[i] != 0 && first < 0) {
                first = i;
            }
            if (first >= 0 && i <= first + 1 && values[i] != 0) {
                out.append(out.isEmpty() ? "" : " ").append(values[i]).append(units[i]);
            }
        }
        return out.isEmpty() ? "0s" : out.toString();
    }

    /** {@code 45 s}, {@code 4 min 10 s}, {@code 2 h 5 min}, {@code 3 d 4 h}: a duration spelled out for the doctor's sentences. */
    public static String spelled(Duration d) {
        long s = d.toSeconds();
        if (s < 60) return s + " s";
        if (s < 3600) return (s / 60) + " min " + (s % 60) + " s";
        if (s < 86_400) return (s / 3600) + " h " + (s % 3600 / 60) + " min";
        return (s / 86_400) + " d " + (s % 86_400 / 3600) + " h";
    }
}
