package dev.latch.client.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.UnresolvedAddressException;
import org.junit.jupiter.api.Test;

class HttpFailureTest {

    @Test
    void unknownHostReportedByTheJdkAsConnectExceptionThenUnknownHost() {
        ConnectException e = new ConnectException();
        e.initCause(new UnresolvedAddressException());
        assertThat(HttpFailure.describe(URI.create("https://issuer.invalid/x"), e))
                .isEqualTo("cannot reach https://issuer.invalid: unknown host issuer.invalid");
    }

    @Test
    void unresolvableHostThroughTheJdkClientThenUnknownHost() throws Exception {
        URI url = URI.create("https://issuer.invalid/.well-known/openid-configuration");
        try {
            HttpClient.newHttpClient().send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.discarding());
        } catch (java.io.IOException e) {
            assertThat(HttpFailure.describe(url, e)).isEqualTo("cannot reach https://issuer.invalid: unknown host issuer.invalid");
            return;
        }
        throw new AssertionError("issuer.invalid resolved (RFC 6761 reserves .invalid)");
    }

    @Test
    void refusedConnectionThenConnectionRefused() {
        assertThat(HttpFailure.describe(URI.create("http://127.0.0.1:9/x"), new ConnectException("Connection refused")))
                .isEqualTo("cannot reach http://127.0.0.1:9: connection refused");
    }
}
