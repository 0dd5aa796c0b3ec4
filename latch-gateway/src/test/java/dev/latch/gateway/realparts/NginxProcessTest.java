package dev.latch.gateway.realparts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

/** The fixture itself: a missing nginx skips a test on a developer's machine and fails it on CI, naming the package. */
class NginxProcessTest {

    static final List<Path> NOWHERE = List.of(Path.of("/nonexistent/sbin/nginx"), Path.of("/nonexistent/bin/nginx"));

    @Test
    void nginxMissingWithoutCiThenTestSkippedSayingWhatToInstall() {
        assertThatThrownBy(() -> NginxProcess.requireInstalled(NOWHERE, Map.of()))
                .isInstanceOf(TestAbortedException.class).hasMessageContaining("apt-get install nginx-light");
        assertThatThrownBy(() -> NginxProcess.requireInstalled(NOWHERE, Map.of("CI", "")))
                .as("an empty CI is not CI").isInstanceOf(TestAbortedException.class);
    }

    @Test
    void nginxMissingOnCiThenTestFailsSayingWhatToInstall() {
        assertThatThrownBy(() -> NginxProcess.requireInstalled(NOWHERE, Map.of("CI", "true")))
                .isInstanceOf(AssertionError.class).hasMessageContaining("apt-get install nginx-light").hasMessageContaining("CI is set");
    }

    @Test
    void nginxStartsOnAFreeLoopbackPortAndStopsOnClose() throws Exception {
        NginxProcess nginx = NginxProcess.start(dir -> "location = /hello { return 200 hi; }");
        int port;
        try (nginx) {
            port = nginx.port();
            var r = dev.latch.gateway.TestGateway.HTTP.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(nginx.url("/hello"))).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("hi");
            // nginx writes the access-log line after the response has gone out: give it a moment
            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(5).toNanos();
            while (nginx.accessLog().stream().noneMatch(line -> line.contains("GET /hello")) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(nginx.accessLog()).anySatisfy(line -> assertThat(line).contains("GET /hello"));
        }
        assertThat(nginx.dir()).doesNotExist();
        try (java.net.Socket s = new java.net.Socket()) {
            assertThatThrownBy(() -> s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 1000))
                    .as("nothing listens after close").isInstanceOf(java.io.IOException.class);
        }
    }
}
