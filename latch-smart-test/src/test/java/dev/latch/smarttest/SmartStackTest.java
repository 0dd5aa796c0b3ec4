package dev.latch.smarttest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.latch.server.TestServer;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** examples/smart/run.sh starts what it says: discovery through the FHIR front is Latch's own, the FHIR server answers behind it. */
class SmartStackTest {

    static final ObjectMapper JSON = new ObjectMapper();

    static HttpResponse<String> get(String url, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).GET();
        if (headers.length > 0) b.headers(headers);
        return TestServer.send(b.build());
    }

    @Test
    void discoveryAtTheFhirBaseIsLatchsOwnAndTheFhirServerIsBehindTheFront() throws Exception {
        SmartStack stack = SmartStack.get();
        HttpResponse<String> atFront = get(stack.fhirBase + "/.well-known/smart-configuration", "Accept", "text/html");
        HttpResponse<String> atLatch = get(stack.issuer + "/.well-known/smart-configuration");
        assertThat(atFront.statusCode()).as(stack.logs()).isEqualTo(200);
        assertThat(atFront.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        assertThat(atFront.headers().firstValue("access-control-allow-origin")).contains("*");
        assertThat(JSON.readTree(atFront.body())).isEqualTo(JSON.readTree(atLatch.body()));
        JsonNode config = JSON.readTree(atLatch.body());
        assertThat(config.path("issuer").asText()).isEqualTo(stack.issuer);
        assertThat(config.path("authorization_endpoint").asText()).isEqualTo(stack.issuer + "/authorize");

        // the FHIR server answers directly, and the front refuses the same read without a token
        assertThat(get(stack.fhirUpstream + "/Patient/p1").body()).contains("Shaw");
        HttpResponse<String> refused = get(stack.fhirBase + "/Patient/p1");
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(refused.body()).path("resourceType").asText()).isEqualTo("OperationOutcome");
    }
}
