package dev.latch.server;

import static dev.latch.server.OAuthResponses.basic;
import static dev.latch.server.OAuthResponses.form;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.latch.server.client.Client;
import dev.latch.server.http.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The disk under the embedded H2 database fills up (a small tmpfs mounted by the test): requests that
 * write are refused {@code 503 temporarily_unavailable} with {@code Retry-After} and the server logs why,
 * what was stored before is still there, and once space is freed the same server serves again.
 * Mounting needs root with CAP_SYS_ADMIN (a container usually lacks it), so the test is skipped, with
 * that reason, where {@code mount} refuses; CI may well be such a place.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class DiskFullOnH2Test {

    private static final Logger LOG = LoggerFactory.getLogger(DiskFullOnH2Test.class);
    private static final String SECRET = "disk-full-secret-0123456789-abcdefghijklmnop";

    private Path mountPoint;
    private boolean mounted;

    @AfterEach
    void unmount() throws Exception {
        if (mounted) {
            run("umount", "-l", mountPoint.toString());
        }
        if (mountPoint != null) {
            Files.deleteIfExists(mountPoint);
        }
    }

    @Test
    void writesAreRefusedWith503WhileTheDiskIsFullNothingStoredIsLostAndTheServerRecoversWhenSpaceIsFreed() throws Exception {
        mountPoint = Files.createTempDirectory("latch-diskfull");
        String refused = run("mount", "-t", "tmpfs", "-o", "size=24m,mode=0700", "tmpfs", mountPoint.toString());
        Assumptions.assumeTrue(refused == null, () -> "cannot mount a small tmpfs to fill (needs root with CAP_SYS_ADMIN, "
                + "which containers and CI runners usually lack): " + refused);
        mounted = true;
        Path data = mountPoint.resolve("data");
        Path filler = mountPoint.resolve("filler");

        try (TestServer server = TestServer.start(Map.of("data", data.toString()))) {
            server.clients().create(new Client.Builder().clientId("svc2").scope("read").tokenEndpointAuthMethod(Client.BASIC)
                    .grantTypes(List.of("client_credentials")).accessTokenFormat("opaque").build(), SECRET, true, null);
            // opaque tokens are rows: each token request writes
            List<String> before = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                HttpResponse<String> r = token(server);
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                before.add(json(r).get("access_token").asText());
            }

            long filled = fill(filler);
            LOG.info("filled the data directory's file system with {} KiB", filled / 1024);
            List<HttpResponse<String>> whileFull = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                whileFull.add(token(server));
            }
            assertThat(whileFull).allSatisfy(r -> assertThat(r.statusCode()).as(r.body()).isIn(200, 503));
            List<HttpResponse<String>> refusals = whileFull.stream().filter(r -> r.statusCode() == 503).toList();
            assertThat(refusals).as("writes fail while the disk is full").isNotEmpty();
            assertThat(refusals).allSatisfy(r -> {
                assertThat(r.headers().firstValue("Retry-After")).isPresent();
                assertThat(json(r).get("error").asText()).isEqualTo("temporarily_unavailable");
            });
            HttpResponse<String> health = server.get(server.managementUrl("/healthz"));
            LOG.info("disk full: {} of {} token requests refused with 503; /healthz {} {}", refusals.size(), whileFull.size(),
                    health.statusCode(), health.body());

            Files.delete(filler);
            long freedAt = System.nanoTime();
            HttpResponse<String> after = token(server);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (after.statusCode() != 200 && System.nanoTime() < deadline) {
                Thread.sleep(200);
                after = token(server);
            }
            assertThat(after.statusCode()).as("served again once space is freed: " + after.body()).isEqualTo(200);
            LOG.info("disk full: served again {} ms after the space was freed, without a restart",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - freedAt));

            for (String accessToken : before) {
                HttpResponse<String> r = server.postForm("/introspect", "token=" + form(accessToken), "Authorization", basic("svc2", SECRET));
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                assertThat(json(r).get("active").asBoolean()).as("stored before the disk filled: " + r.body()).isTrue();
            }
            assertThat(server.clients().store().find("svc2")).isPresent();
        }
    }

    private static HttpResponse<String> token(TestServer server) {
        return server.postForm("/token", "grant_type=client_credentials&scope=read", "Authorization", basic("svc2", SECRET));
    }

    /** Writes until the file system says it is full; returns the bytes written. */
    private static long fill(Path filler) {
        long written = 0;
        byte[] block = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(block);
                written += block.length;
            }
        } catch (IOException e) {
            assertThat(e.getMessage()).containsIgnoringCase("space");
        }
        return written;
    }

    private static JsonNode json(HttpResponse<String> r) {
        try {
            return Json.MAPPER.readTree(r.body());
        } catch (IOException e) {
            throw new AssertionError(r.body(), e);
        }
    }

    /** Runs a command; null when it succeeded, else its output. */
    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        return p.waitFor() == 0 ? null : String.join(" ", command) + ": " + out.trim();
    }
}
