package dev.latch.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWK;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two servers in this JVM on one embedded H2 database and one issuer, two threads sending the same
 * client assertion to both at once: exactly one use wins, every round.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ReplayAcrossServersOnH2Test {

    static final String ISSUER = "https://latch.cluster.test";
    static Path data;
    static TestServer first;
    static TestServer second;
    static JWK key;

    @BeforeAll
    static void start() throws Exception {
        data = Files.createTempDirectory("latch-h2-race");
        Map<String, String> settings = Map.of("issuer", ISSUER);
        first = TestServer.start(data, settings, false);
        second = TestServer.start(data, settings, false);
        key = ClientAssertions.newKey();
        first.register(ClientAssertions.privateKeyJwtClient("race-client", key, "read"));
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (second != null) second.close();
        } finally {
            if (first != null) first.close();
            try (Stream<Path> files = Files.walk(data)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void sameAssertionAtBothServersAtOnceThenExactlyOneWinsEveryRound() throws Exception {
        String a = "http://127.0.0.1:" + first.server().port() + "/token";
        String b = "http://127.0.0.1:" + second.server().port() + "/token";

        AssertionRace.Outcome outcome = AssertionRace.run(50, key, "race-client", ISSUER, a, b);

        assertThat(outcome.winsA() + outcome.winsB()).isEqualTo(50);
    }
}
