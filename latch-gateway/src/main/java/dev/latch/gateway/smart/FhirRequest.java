package dev.latch.gateway.smart;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One FHIR R4 RESTful interaction (FHIR R4 "RESTful API" §3.1.0), read from a request's method, its path
 * below the FHIR base and its query, so that {@link SmartPolicy} can tell which SMART permission it needs.
 * Anything that is not a well-formed interaction is {@link Invalid}: the policy never guesses.
 *
 * @param interaction     what the request does
 * @param type            the resource type of the path ({@code Observation} in {@code Observation/1}), or null at system level
 * @param id              the logical id of instance-level interactions, or null
 * @param compartmentType the type searched in a compartment search ({@code Observation} in {@code Patient/1/Observation}), or null
 * @param operation       the operation name with its {@code $} ({@code $everything}), or null
 * @param params          search or operation parameters, percent-decoded, query first then a form body's
 * @param resource        the JSON body of a create, update or batch, or null
 * @param ifNoneExist     the {@code If-None-Exist} header of a conditional create, or null
 */
public record FhirRequest(Interaction interaction, String type, String id, String compartmentType, String operation,
                          List<Param> params, JsonNode resource, String ifNoneExist) {

    /** FHIR resource type names (R4/R5): an upper-case letter, then letters. */
    static final Pattern RESOURCE_TYPE = Pattern.compile("[A-Z][A-Za-z]{1,63}");
    /** FHIR R4 {@code id}: 1–64 of letters, digits, '-' and '.'. */
    static final Pattern ID = Pattern.compile("[A-Za-z0-9\\-.]{1,64}");
    private static final Pattern OPERATION = Pattern.compile("\\$[A-Za-z][A-Za-z0-9\\-]{0,63}");

    public FhirRequest {
        params = List.copyOf(params);
    }

    /** The FHIR interactions (R4 §3.1.0), each as it maps to a SMART permission in {@link SmartPolicy}. */
    public enum Interaction {
        CAPABILITIES, READ, VREAD, HISTORY_INSTANCE, HISTORY_TYPE, HISTORY_SYSTEM, SEARCH_TYPE, SEARCH_SYSTEM,
        SEARCH_COMPARTMENT, CREATE, UPDATE, CONDITIONAL_UPDATE, PATCH, CONDITIONAL_PATCH, DELETE, CONDITIONAL_DELETE,
        BATCH, OPERATION_SYSTEM, OPERATION_TYPE, OPERATION_INSTANCE, PAGE
    }

    /** One parameter as sent: {@code name} with its modifiers and chains ({@code subject:Patient.name}), and the value. */
    public record Param(String name, String value) {

        /** The parameter's own name, without {@code :modifier} and {@code .chain}. */
        public String base() {
            int end = name.length();
            int colon = name.indexOf(':');
            int dot = name.indexOf('.');
            if (colon >= 0) end = colon;
            if (dot >= 0 && dot < end) end = dot;
            return name.substring(0, end);
        }

        /** The modifier after {@code :} (up to a chain's {@code .}), or null. */
        public String modifier() {
            int colon = name.indexOf(':');
            if (colon < 0) return null;
            int dot = name.indexOf('.', colon);
            return name.substring(colon + 1, dot < 0 ? name.length() : dot);
        }

        /** True for a chained parameter ({@code subject.name}, {@code subject:Patient.name}) or a reverse chain ({@code _has}). */
        public boolean chained() {
            return name.indexOf('.') >= 0 || name.startsWith("_has:") || name.equals("_has");
        }
    }

    /** Not a well-formed FHIR interaction; {@code status} is 400, 404 or 405. */
    public static final class Invalid extends RuntimeException {
        private final int status;

        public Invalid(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    /**
     * Reads an interaction.
     *
     * @param method      the HTTP method, upper case
     * @param path        the path below the FHIR base, decoded and without dot segments (Jetty's canonical path), no leading slash
     * @param rawQuery    the raw query string, or null
     * @param formBody    the raw {@code application/x-www-form-urlencoded} body of a {@code POST …/_search}, or null
     * @param resource    the JSON body, or null
     * @param ifNoneExist the {@code If-None-Exist} header, or null
     * @throws Invalid when it is not a FHIR interaction
     */
    public static FhirRequest parse(String method, String path, String rawQuery, String formBody, JsonNode resource, String ifNoneExist) {
        List<Param> params = new ArrayList<>();
        addParams(params, rawQuery);
        String[] s = path.isEmpty() ? new String[0] : path.split("/", -1);
        for (String segment : s) {
            if (segment.isEmpty()) {
                throw new Invalid(400, "the path has an empty segment (double or trailing slash)");
            }
        }
        boolean get = method.equals("GET");
        boolean post = method.equals("POST");
        int n = s.length;
        if (n == 0) {
            if (get) return of(params.stream().anyMatch(p -> p.name().equals("_getpages")) ? Interaction.PAGE : Interaction.SEARCH_SYSTEM,
                    null, null, null, null, params, resource, ifNoneExist);
            if (post) return of(Interaction.BATCH, null, null, null, null, params, resource, ifNoneExist);
            throw notAllowed(method, "the FHIR base");
        }
        String first = s[0];
        if (n == 1 && first.equals("metadata")) {
            if (!get) throw notAllowed(method, "metadata");
            return of(Interaction.CAPABILITIES, null, null, null, null, params, null, null);
        }
        if (n == 1 && first.equals("_history")) {
            if (!get) throw notAllowed(method, "_history");
            return of(Interaction.HISTORY_SYSTEM, null, null, null, null, params, null, null);
        }
        if (n == 1 && first.equals("_search")) {
            if (!post) throw notAllowed(method, "_search");
            addParams(params, formBody);
            return of(Interaction.SEARCH_SYSTEM, null, null, null, null, params, null, null);
        }
        if (n == 1 && first.startsWith("$")) {
            return operation(Interaction.OPERATION_SYSTEM, null, null, operationName(first), method, params, formBody, resource);
        }
        String type = type(first);
        if (n == 1) {
            return switch (method) {
                case "GET" -> of(Interaction.SEARCH_TYPE, type, null, null, null, params, null, null);
                case "POST" -> of(Interaction.CREATE, type, null, null, null, params, resource, ifNoneExist);
                case "PUT" -> of(Interaction.CONDITIONAL_UPDATE, type, null, null, null, params, resource, null);
                case "PATCH" -> of(Interaction.CONDITIONAL_PATCH, type, null, null, null, params, resource, null);
                case "DELETE" -> of(Interaction.CONDITIONAL_DELETE, type, null, null, null, params, null, null);
                default -> throw notAllowed(method, type);
            };
        }
        String second = s[1];
        if (n == 2) {
            if (second.equals("_search")) {
                if (!post) throw notAllowed(method, type + "/_search");
                addParams(params, formBody);
                return of(Interaction.SEARCH_TYPE, type, null, null, null, params, null, null);
            }
            if (second.equals("_history")) {
                if (!get) throw notAllowed(method, type + "/_history");
                return of(Interaction.HISTORY_TYPE, type, null, null, null, params, null, null);
            }
            if (second.startsWith("$")) {
                return operation(Interaction.OPERATION_TYPE, type, null, operationName(second), method, params, formBody, resource);
            }
            String id = id(second);
            return switch (method) {
                case "GET" -> of(Interaction.READ, type, id, null, null, params, null, null);
                case "PUT" -> of(Interaction.UPDATE, type, id, null, null, params, resource, null);
                case "PATCH" -> of(Interaction.PATCH, type, id, null, null, params, resource, null);
                case "DELETE" -> of(Interaction.DELETE, type, id, null, null, params, null, null);
                default -> throw notAllowed(method, type + "/" + id);
            };
        }
        String id = id(second);
        String third = s[2];
        if (n == 3) {
            if (third.equals("_history")) {
                if (!get) throw notAllowed(method, "_history");
                return of(Interaction.HISTORY_INSTANCE, type, id, null, null, params, null, null);
            }
            if (third.startsWith("$")) {
                return operation(Interaction.OPERATION_INSTANCE, type, id, operationName(third), method, params, formBody, resource);
            }
            if (!get) throw notAllowed(method, "a compartment search");
            return of(Interaction.SEARCH_COMPARTMENT, type, id, type(third), null, params, null, null);
        }
        if (n == 4) {
            if (third.equals("_history")) {
                if (!get) throw notAllowed(method, "a version");
                id(s[3]);
                return of(Interaction.VREAD, type, id, null, null, params, null, null);
            }
            if (s[3].equals("_search")) {
                if (!post) throw notAllowed(method, "_search");
                String searched = type(third);
                addParams(params, formBody);
                return of(Interaction.SEARCH_COMPARTMENT, type, id, searched, null, params, null, null);
            }
        }
        throw new Invalid(404, "not a FHIR RESTful interaction: " + shorten(path));
    }

    private static FhirRequest operation(Interaction interaction, String type, String id, String name, String method,
                                         List<Param> params, String formBody, JsonNode resource) {
        if (!method.equals("GET") && !method.equals("POST")) throw notAllowed(method, name);
        addParams(params, formBody);
        return of(interaction, type, id, null, name, params, method.equals("POST") ? resource : null, null);
    }

    private static FhirRequest of(Interaction i, String type, String id, String compartmentType, String operation,
                                  List<Param> params, JsonNode resource, String ifNoneExist) {
        return new FhirRequest(i, type, id, compartmentType, operation, params, resource, ifNoneExist);
    }

    /** The values of every parameter named exactly {@code name}. */
    public List<String> values(String name) {
        List<String> out = new ArrayList<>();
        for (Param p : params) {
            if (p.name().equals(name)) out.add(p.value());
        }
        return out;
    }

    static String type(String segment) {
        if (!RESOURCE_TYPE.matcher(segment).matches()) {
            throw new Invalid(404, "not a FHIR resource type: " + shorten(segment));
        }
        return segment;
    }

    static String id(String segment) {
        if (!ID.matcher(segment).matches()) {
            throw new Invalid(400, "not a FHIR id: " + shorten(segment));
        }
        return segment;
    }

    private static String operationName(String segment) {
        if (!OPERATION.matcher(segment).matches()) {
            throw new Invalid(400, "not a FHIR operation name: " + shorten(segment));
        }
        return segment;
    }

    private static Invalid notAllowed(String method, String what) {
        return new Invalid(405, method + " is not a FHIR interaction on " + shorten(what));
    }

    /** Adds the parameters of a query or form body (RFC 3986 percent-encoding; '+' is a space, as servlet containers read it). */
    static void addParams(List<Param> out, String raw) {
        if (raw == null || raw.isEmpty()) {
            return;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            if (name.isEmpty()) {
                throw new Invalid(400, "a query parameter without a name");
            }
            out.add(new Param(name, value));
        }
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new Invalid(400, "bad percent-encoding in the query");
        }
    }

    static String shorten(String s) {
        String v = s.replaceAll("[\\p{Cntrl}]", "?");
        return v.length() > 80 ? v.substring(0, 77) + "…" : v;
    }
}
