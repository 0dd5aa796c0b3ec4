package dev.latch.fhirsample;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import org.hl7.fhir.r4.model.Resource;

/**
 * JSON Patch (RFC 6902) on a resource's JSON: {@code add}, {@code remove}, {@code replace},
 * {@code move}, {@code copy} and {@code test}. A malformed patch answers 400; a patch that does not
 * apply (a {@code test} that fails, a path that is not there) or that leaves no valid resource, 422.
 */
final class JsonPatch {

    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonPatch() {}

    static Resource apply(FhirContext fhir, Resource resource, String patch) {
        JsonNode operations;
        try {
            operations = JSON.readTree(patch);
        } catch (IOException e) {
            throw new InvalidRequestException("The JSON Patch is not JSON: " + e.getMessage());
        }
        if (operations == null || !operations.isArray()) {
            throw new InvalidRequestException("A JSON Patch is an array of operations");
        }
        JsonNode document;
        try {
            document = JSON.readTree(fhir.newJsonParser().encodeResourceToString(resource));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        for (JsonNode operation : operations) {
            document = applyOne(document, operation);
        }
        try {
            Resource patched = (Resource) fhir.newJsonParser().parseResource(resource.getClass(), document.toString());
            if (!resource.getIdElement().getIdPart().equals(patched.getIdElement().getIdPart())) {
                throw new UnprocessableEntityException("A patch may not change the resource's id");
            }
            return patched;
        } catch (DataFormatException e) {
            throw new UnprocessableEntityException("The patched resource is not valid: " + e.getMessage());
        }
    }

    private static JsonNode applyOne(JsonNode document, JsonNode operation) {
        String op = text(operation, "op");
        JsonPointer path = pointer(text(operation, "path"));
        switch (op) {
            case "add" -> {
                return add(document, path, value(operation));
            }
            case "remove" -> {
                return remove(document, path);
            }
            case "replace" -> {
                return add(remove(document, path), path, value(operation));
            }
            case "move" -> {
                JsonPointer from = pointer(text(operation, "from"));
                JsonNode moved = existing(document, from);
                return add(remove(document, from), path, moved);
            }
            case "copy" -> {
                return add(document, path, existing(document, pointer(text(operation, "from"))).deepCopy());
            }
            case "test" -> {
                if (!existing(document, path).equals(value(operation))) {
                    throw new UnprocessableEntityException("JSON Patch test failed at " + path);
                }
                return document;
            }
            default -> throw new InvalidRequestException("Unknown JSON Patch op: " + op);
        }
    }

    private static JsonNode add(JsonNode document, JsonPointer path, JsonNode value) {
        if (path.matches()) {
            return value; // the whole document
        }
        JsonNode parent = existing(document, path.head());
        String last = path.last().getMatchingProperty();
        if (parent instanceof ObjectNode object) {
            object.set(last, value);
        } else if (parent instanceof ArrayNode array) {
            int index = "-".equals(last) ? array.size() : index(last, array.size());
            array.insert(index, value);
        } else {
            throw new UnprocessableEntityException("JSON Patch path " + path + ": its parent is not an object or array");
        }
        return document;
    }

    private static JsonNode remove(JsonNode document, JsonPointer path) {
        existing(document, path);
        if (path.matches()) {
            throw new UnprocessableEntityException("JSON Patch may not remove the whole resource");
        }
        JsonNode parent = existing(document, path.head());
        String last = path.last().getMatchingProperty();
        if (parent instanceof ObjectNode object) {
            object.remove(last);
        } else if (parent instanceof ArrayNode array) {
            array.remove(index(last, array.size() - 1));
        }
        return document;
    }

    private static JsonNode existing(JsonNode document, JsonPointer path) {
        JsonNode node = document.at(path);
        if (node.isMissingNode()) {
            throw new UnprocessableEntityException("JSON Patch path " + path + " is not in the resource");
        }
        return node;
    }

    private static int index(String segment, int max) {
        try {
            int index = Integer.parseInt(segment);
            if (index < 0 || index > max) {
                throw new UnprocessableEntityException("JSON Patch array index " + segment + " is out of range");
            }
            return index;
        } catch (NumberFormatException e) {
            throw new UnprocessableEntityException("JSON Patch array index " + segment + " is not a number");
        }
    }

    private static String text(JsonNode operation, String field) {
        JsonNode node = operation.get(field);
        if (node == null || !node.isTextual()) {
            throw new InvalidRequestException("JSON Patch operation without \"" + field + "\": " + operation);
        }
        return node.asText();
    }

    private static JsonNode value(JsonNode operation) {
        if (!operation.has("value")) {
            throw new InvalidRequestException("JSON Patch operation without \"value\": " + operation);
        }
        return operation.get("value").deepCopy();
    }

    private static JsonPointer pointer(String path) {
        try {
            return JsonPointer.compile(path);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("Not a JSON Pointer: " + path);
        }
    }
}
