package dev.latch.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small FHIR R4 JSON server for gateway tests (the real HAPI FHIR server is driven end to end in
 * latch-fhir-sample): patients p1, p2; Observations o1 (p1, laboratory), o2 (p2, laboratory), o3 (p1,
 * vital-signs), o4 (subject p2, performer p1); Conditions c1 (p1), c2 (p2); Encounter e1 (p1); Practitioner
 * pr1. Reads, vreads, history, searches filtered by {@code patient}/{@code subject}/{@code _id}/{@code category}
 * (other parameters ignored, as lenient servers do), {@code _include=Observation:subject}, creates, batches and
 * {@code metadata}. {@code _pieces=N} sends the answer chunked, flushed every N bytes (as HAPI FHIR flushes its JSON value by
 * value), {@code _pad=N} adds a string of N characters to it. {@code _leak=true} makes a search ignore every filter — a FHIR server that does not do what
 * it was asked, which the gateway's response check must catch. Records what each request looked like.
 */
public final class FhirUpstream implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final Map<String, ObjectNode> resources = new LinkedHashMap<>();
    private final ConcurrentLinkedDeque<String> seen = new ConcurrentLinkedDeque<>();
    private final ConcurrentLinkedDeque<String> methods = new ConcurrentLinkedDeque<>();
    private final ConcurrentLinkedDeque<Map<String, String>> seenHeaders = new ConcurrentLinkedDeque<>();
    private final AtomicInteger count = new AtomicInteger();

    private FhirUpstream(HttpServer server) {
        this.server = server;
        put("{\"resourceType\":\"Patient\",\"id\":\"p1\",\"name\":[{\"family\":\"One\"}]}");
        put("{\"resourceType\":\"Patient\",\"id\":\"p2\",\"name\":[{\"family\":\"Two\"}]}");
        put(observation("o1", "p1", "laboratory", null));
        put(observation("o2", "p2", "laboratory", null));
        put(observation("o3", "p1", "vital-signs", null));
        put(observation("o4", "p2", "laboratory", "p1"));
        put("{\"resourceType\":\"Condition\",\"id\":\"c1\",\"subject\":{\"reference\":\"Patient/p1\"}}");
        put("{\"resourceType\":\"Condition\",\"id\":\"c2\",\"subject\":{\"reference\":\"Patient/p2\"}}");
        put("{\"resourceType\":\"Encounter\",\"id\":\"e1\",\"status\":\"finished\",\"subject\":{\"reference\":\"Patient/p1\"}}");
        put("{\"resourceType\":\"Practitioner\",\"id\":\"pr1\"}");
    }

    public static String observation(String id, String patient, String category, String performer) {
        return "{\"resourceType\":\"Observation\",\"id\":\"" + id + "\",\"status\":\"final\",\"category\":[{\"coding\":[{\"system\":"
                + "\"http://terminology.hl7.org/CodeSystem/observation-category\",\"code\":\"" + category + "\"}]}],"
                + "\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"1234-5\"}]},"
                + "\"meta\":{\"versionId\":\"1\"},\"subject\":{\"reference\":\"Patient/" + patient + "\"}"
                + (performer == null ? "" : ",\"performer\":[{\"reference\":\"Patient/" + performer + "\"}]") + "}";
    }

    private void put(String json) {
        try {
            ObjectNode r = (ObjectNode) JSON.readTree(json);
            resources.put(r.get("resourceType").asText() + "/" + r.get("id").asText(), r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static FhirUpstream start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
            FhirUpstream upstream = new FhirUpstream(server);
            server.createContext("/fhir", upstream::handle);
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            server.start();
            return upstream;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The base the gateway's upstream names, e.g. {@code http://127.0.0.1:PORT/fhir/}. */
    public String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/fhir/";
    }

    public int count() {
        return count.get();
    }

    /** The last request's path and query, e.g. {@code /fhir/Observation?patient=Patient%2Fp1}. */
    public String last() {
        return seen.peekLast();
    }

    /** The last request's method. */
    public String lastMethod() {
        return methods.peekLast();
    }

    /** The last request's headers (lower-case names). */
    public Map<String, String> lastHeaders() {
        return seenHeaders.peekLast();
    }

    private void handle(HttpExchange ex) throws IOException {
        count.incrementAndGet();
        try (ex) {
            String path = ex.getRequestURI().getRawPath();
            String query = ex.getRequestURI().getRawQuery();
            seen.add(path + (query == null ? "" : "?" + query));
            methods.add(ex.getRequestMethod());
            Map<String, String> headers = new LinkedHashMap<>();
            ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), String.join(",", v)));
            seenHeaders.add(headers);
            byte[] body = ex.getRequestBody().readAllBytes();
            String rest = path.substring("/fhir".length());
            if (rest.startsWith("/")) rest = rest.substring(1);
            JsonNode answer;
            int status = 200;
            String method = ex.getRequestMethod();
            if (rest.equals("metadata")) {
                answer = JSON.readTree("{\"resourceType\":\"CapabilityStatement\",\"status\":\"active\",\"kind\":\"instance\","
                        + "\"fhirVersion\":\"4.0.1\",\"format\":[\"json\"],\"rest\":[{\"mode\":\"server\",\"resource\":[{\"type\":\"Patient\"}]}]}");
            } else if (rest.isEmpty() && method.equals("POST")) {
                answer = batch(JSON.readTree(body));
            } else if (method.equals("POST") && !rest.contains("/")) {
                ObjectNode created = (ObjectNode) JSON.readTree(body);
                created.put("id", "new1");
                answer = created;
                status = 201;
            } else if (method.equals("GET")) {
                answer = get(rest, query);
                if (answer == null) {
                    status = 404;
                    answer = JSON.readTree("{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"error\",\"code\":\"not-found\"}]}");
                }
            } else {
                answer = resources.get(rest);
                if (answer == null) answer = JSON.readTree("{\"resourceType\":\"OperationOutcome\",\"issue\":[]}");
            }
            String q = query == null ? "" : query;
            java.util.regex.Matcher pad = java.util.regex.Pattern.compile("(?:^|&)_pad=(\\d+)").matcher(q);
            if (pad.find() && answer instanceof ObjectNode padded) {
                padded.put("_pad", "x".repeat(Integer.parseInt(pad.group(1))));
            }
            byte[] out = JSON.writeValueAsBytes(answer);
            ex.getResponseHeaders().set("Content-Type", "application/fhir+json;charset=utf-8");
            java.util.regex.Matcher pieces = java.util.regex.Pattern.compile("(?:^|&)_pieces=(\\d+)").matcher(q);
            if (pieces.find()) {
                // as HAPI FHIR does: the JSON flushed in small pieces, each its own HTTP chunk
                int size = Integer.parseInt(pieces.group(1));
                ex.sendResponseHeaders(status, 0);
                for (int i = 0; i < out.length; i += size) {
                    ex.getResponseBody().write(out, i, Math.min(size, out.length - i));
                    ex.getResponseBody().flush();
                }
            } else {
                ex.sendResponseHeaders(status, out.length);
                ex.getResponseBody().write(out);
            }
        }
    }

    private JsonNode get(String rest, String query) {
        String[] s = rest.split("/");
        if (s.length == 2) return resources.get(rest);
        if (s.length == 3 && s[2].equals("_history")) return bundle("history", List.of(resources.get(s[0] + "/" + s[1])));
        if (s.length == 4 && s[2].equals("_history")) return resources.get(s[0] + "/" + s[1]);
        if (s.length == 3 && s[0].equals("Patient") && s[2].startsWith("$everything")) {
            List<JsonNode> all = new ArrayList<>();
            for (ObjectNode r : resources.values()) {
                if (r.toString().contains("Patient/" + s[1] + "\"") || (r.get("resourceType").asText().equals("Patient") && r.get("id").asText().equals(s[1]))) {
                    all.add(r);
                }
            }
            return bundle("searchset", all);
        }
        if (s.length == 3) {
            return search(s[2], (query == null ? "" : query + "&") + "patient=" + s[1]);
        }
        if (s.length == 1) return search(s[0], query);
        return null;
    }

    private JsonNode search(String type, String query) {
        Map<String, List<String>> params = new LinkedHashMap<>();
        if (query != null) {
            for (String pair : query.split("&")) {
                int eq = pair.indexOf('=');
                if (eq <= 0) continue;
                params.computeIfAbsent(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8), k -> new ArrayList<>())
                        .add(URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        boolean leak = params.containsKey("_leak");
        List<JsonNode> matches = new ArrayList<>();
        List<JsonNode> included = new ArrayList<>();
        for (ObjectNode r : resources.values()) {
            if (!r.get("resourceType").asText().equals(type)) continue;
            if (!leak && !matches(r, params)) continue;
            matches.add(r);
            if (params.getOrDefault("_include", List.of()).stream().anyMatch(i -> i.startsWith("Observation:subject")) && r.has("subject")) {
                JsonNode p = resources.get(r.get("subject").get("reference").asText());
                if (p != null && !included.contains(p)) included.add(p);
            }
        }
        ObjectNode b = bundle("searchset", matches);
        for (JsonNode i : included) {
            ObjectNode e = ((ArrayNode) b.get("entry")).addObject();
            e.set("resource", i);
            e.putObject("search").put("mode", "include");
        }
        return b;
    }

    private static boolean matches(ObjectNode r, Map<String, List<String>> params) {
        for (Map.Entry<String, List<String>> e : params.entrySet()) {
            for (String v : e.getValue()) {
                String want = v.startsWith("Patient/") ? v : "Patient/" + v;
                switch (e.getKey()) {
                    case "patient", "subject" -> {
                        if (!r.path("subject").path("reference").asText().equals(want)) return false;
                    }
                    case "_id" -> {
                        if (!r.get("id").asText().equals(v)) return false;
                    }
                    case "category" -> {
                        String code = v.substring(v.lastIndexOf('|') + 1);
                        if (!r.path("category").toString().contains("\"" + code + "\"")) return false;
                    }
                    default -> { }
                }
            }
        }
        return true;
    }

    private JsonNode batch(JsonNode bundle) {
        List<JsonNode> results = new ArrayList<>();
        for (JsonNode entry : bundle.path("entry")) {
            String url = entry.path("request").path("url").asText();
            int q = url.indexOf('?');
            JsonNode r = get(q < 0 ? url : url.substring(0, q), q < 0 ? null : url.substring(q + 1));
            results.add(r);
        }
        ObjectNode b = JSON.createObjectNode().put("resourceType", "Bundle").put("type", "batch-response");
        ArrayNode entries = b.putArray("entry");
        for (JsonNode r : results) {
            ObjectNode e = entries.addObject();
            if (r != null) e.set("resource", r);
            e.putObject("response").put("status", r == null ? "404" : "200");
        }
        return b;
    }

    private static ObjectNode bundle(String type, List<JsonNode> resources) {
        ObjectNode b = JSON.createObjectNode().put("resourceType", "Bundle").put("type", type).put("total", resources.size());
        ArrayNode entries = b.putArray("entry");
        for (JsonNode r : resources) {
            if (r == null) continue;
            ObjectNode e = entries.addObject();
            e.set("resource", r);
            if (type.equals("searchset")) e.putObject("search").put("mode", "match");
        }
        return b;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
