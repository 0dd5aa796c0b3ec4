package dev.latch.fhirsample;

import ca.uhn.fhir.context.FhirContext;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Bundle.SearchEntryMode;
import org.hl7.fhir.r4.model.Resource;

/** Plain HTTP to a {@link SampleFhirServer}, and HAPI's JSON parser to read the answers. */
final class Http {

    static final FhirContext FHIR = FhirContext.forR4Cached();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    private final String base;

    Http(String base) {
        this.base = base;
    }

    /** An answer: its status, headers and body. */
    record Answer(int status, HttpResponse<String> response) {
        String body() {
            return response.body();
        }

        String header(String name) {
            return response.headers().firstValue(name).orElse(null);
        }

        <T extends IBaseResource> T as(Class<T> type) {
            return FHIR.newJsonParser().parseResource(type, body());
        }

        Bundle bundle() {
            return as(Bundle.class);
        }
    }

    Answer get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).header("Accept", "application/fhir+json").GET());
    }

    Answer post(String path, String contentType, String body) {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", contentType).header("Accept", "application/fhir+json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    Answer post(String path, Resource resource) {
        return post(path, "application/fhir+json", FHIR.newJsonParser().encodeResourceToString(resource));
    }

    Answer put(String path, Resource resource, String ifMatch) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/fhir+json")
                .header("Accept", "application/fhir+json")
                .PUT(HttpRequest.BodyPublishers.ofString(FHIR.newJsonParser().encodeResourceToString(resource)));
        if (ifMatch != null) {
            request.header("If-Match", ifMatch);
        }
        return send(request);
    }

    Answer patch(String path, String jsonPatch) {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json-patch+json")
                .header("Accept", "application/fhir+json").method("PATCH", HttpRequest.BodyPublishers.ofString(jsonPatch)));
    }

    Answer delete(String path) {
        return send(HttpRequest.newBuilder(uri(path)).header("Accept", "application/fhir+json").DELETE());
    }

    private URI uri(String path) {
        return URI.create(path.startsWith("http") ? path : base + "/" + path);
    }

    private static Answer send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The ids ({@code Type/id}) of a search bundle's entries of one search mode, in order. */
    static List<String> ids(Bundle bundle, SearchEntryMode mode) {
        return bundle.getEntry().stream().filter(e -> e.getSearch().getMode() == mode)
                .map(e -> e.getResource().getIdElement().toUnqualifiedVersionless().getValue()).toList();
    }

    static List<String> matches(Bundle bundle) {
        return ids(bundle, SearchEntryMode.MATCH);
    }

    static List<String> includes(Bundle bundle) {
        return ids(bundle, SearchEntryMode.INCLUDE);
    }
}
