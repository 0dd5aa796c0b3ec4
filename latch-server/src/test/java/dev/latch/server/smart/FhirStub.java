package dev.latch.server.smart;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A tiny FHIR R4 search endpoint for the patient picker and the simulator: {@code Patient?name=},
 * {@code Patient?_id=} and {@code Encounter?patient=} answered with searchset Bundles from fixed data,
 * recording each request's {@code Accept}. {@link #down(boolean)} makes it answer 503 like a server
 * that is not there. Real FHIR (HAPI) is used by the end-to-end tests of latch-fhir-sample.
 */
final class FhirStub implements AutoCloseable {

    record Patient(String id, String given, String family, String birthDate, String gender) {}
    record Encounter(String id, String patient, String type, String start) {}

    private final HttpServer server;
    private final Map<String, Patient> patients = new ConcurrentHashMap<>();
    private final List<Encounter> encounters = new CopyOnWriteArrayList<>();
    final List<String> accepts = new CopyOnWriteArrayList<>();
    final List<String> queries = new CopyOnWriteArrayList<>();
    private volatile boolean down;

    FhirStub() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/fhir/", exchange -> {
            accepts.add(String.valueOf(exchange.getRequestHeaders().getFirst("Accept")));
            String path = exchange.getRequestURI().getPath().substring("/fhir/".length());
            String query = exchange.getRequestURI().getRawQuery() == null ? "" : exchange.getRequestURI().getRawQuery();
            queries.add(path + "?" + query);
            byte[] body;
            int status = 200;
            if (down) {
                status = 503;
                body = "{\"resourceType\":\"OperationOutcome\"}".getBytes(StandardCharsets.UTF_8);
            } else if (path.equals("Patient")) {
                body = bundle(searchPatients(param(query, "name"), param(query, "_id"))).getBytes(StandardCharsets.UTF_8);
            } else if (path.equals("Encounter")) {
                String patient = param(query, "patient");
                List<String> found = new ArrayList<>();
                for (Encounter e : encounters) {
                    if (e.patient().equals(patient)) {
                        found.add("{\"resourceType\":\"Encounter\",\"id\":\"" + e.id() + "\",\"status\":\"finished\",\"type\":[{\"text\":\""
                                + e.type() + "\"}],\"period\":{\"start\":\"" + e.start() + "\"},\"subject\":{\"reference\":\"Patient/"
                                + e.patient() + "\"}}");
                    }
                }
                body = bundle(found).getBytes(StandardCharsets.UTF_8);
            } else {
                status = 404;
                body = "{\"resourceType\":\"OperationOutcome\"}".getBytes(StandardCharsets.UTF_8);
            }
            exchange.getResponseHeaders().add("Content-Type", "application/fhir+json");
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    FhirStub patient(String id, String given, String family, String birthDate, String gender) {
        patients.put(id, new Patient(id, given, family, birthDate, gender));
        return this;
    }

    /** Removes the patient {@code id} (a record deleted or merged away while someone is signing in). */
    FhirStub withoutPatient(String id) {
        patients.remove(id);
        return this;
    }

    FhirStub encounter(String id, String patient, String type, String start) {
        encounters.add(new Encounter(id, patient, type, start));
        return this;
    }

    void down(boolean down) {
        this.down = down;
    }

    /** The base Latch reads from ({@code upstream}). */
    String upstream() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/fhir";
    }

    private List<String> searchPatients(String name, String id) {
        List<String> out = new ArrayList<>();
        for (Patient p : patients.values().stream().sorted(java.util.Comparator.comparing(Patient::id)).toList()) {
            boolean byName = name == null || (p.given() + " " + p.family()).toLowerCase(Locale.ROOT).contains(name.toLowerCase(Locale.ROOT));
            boolean byId = id == null || p.id().equals(id);
            if (byName && byId) {
                out.add("{\"resourceType\":\"Patient\",\"id\":\"" + p.id() + "\",\"name\":[{\"use\":\"official\",\"family\":\"" + p.family()
                        + "\",\"given\":[\"" + p.given() + "\"]}],\"gender\":\"" + p.gender() + "\",\"birthDate\":\"" + p.birthDate() + "\"}");
            }
        }
        return out;
    }

    private static String bundle(List<String> resources) {
        StringBuilder b = new StringBuilder("{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"total\":" + resources.size() + ",\"entry\":[");
        for (int i = 0; i < resources.size(); i++) {
            if (i > 0) b.append(',');
            b.append("{\"resource\":").append(resources.get(i)).append('}');
        }
        return b.append("]}").toString();
    }

    private static String param(String query, String name) {
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals(name)) {
                return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
