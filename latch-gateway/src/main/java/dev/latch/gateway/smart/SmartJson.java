package dev.latch.gateway.smart;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;

/**
 * JSON as the SMART checks read it: a duplicate key is an error, not "the last one wins" — otherwise the
 * gateway could check one {@code subject} while the FHIR server stores another. Bodies are parsed once.
 */
final class SmartJson {

    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(200).build());
    }

    private SmartJson() {}

    /** The JSON tree of {@code bytes}, or null when they are not one JSON value. */
    static JsonNode parse(byte[] bytes) {
        try (JsonParser parser = MAPPER.createParser(bytes)) {
            JsonNode node = MAPPER.readTree(parser);
            if (node == null || parser.nextToken() != null) return null;
            return node;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
