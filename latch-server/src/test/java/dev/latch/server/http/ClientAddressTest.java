package dev.latch.server.http;

import static dev.latch.server.OAuthResponses.basic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.latch.server.LogCapture;
import dev.latch.server.TestServer;
import dev.latch.server.config.ConfigLoader.ConfigException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which address a request came from: the peer, or behind trusted proxies the nearest untrusted X-Forwarded-For entry. */
class ClientAddressTest {

    private static final ClientAddress BALANCER = ClientAddress.trusting(List.of("10.0.0.0/8", "192.168.7.5", "fd00::/8"));

    @Test
    void withoutTrustedProxiesTheHeaderIsNeverBelieved() {
        assertThat(ClientAddress.PEER.of("10.0.0.9", List.of("203.0.113.7"))).isEqualTo("10.0.0.9");
        assertThat(ClientAddress.PEER.trustsAny()).isFalse();
    }

    @Test
    void aPeerThatIsNotTrustedIsTheClientWhateverItClaims() {
        assertThat(BALANCER.of("198.51.100.4", List.of("203.0.113.7"))).isEqualTo("198.51.100.4");
        assertThat(BALANCER.of("11.0.0.1", List.of("203.0.113.7"))).as("just outside 10/8").isEqualTo("11.0.0.1");
    }

    @Test
    void behindATrustedProxyTheNearestUntrustedEntryIsTheClient() {
        assertThat(BALANCER.of("10.0.0.9", List.of("203.0.113.7"))).isEqualTo("203.0.113.7");
        // the caller wrote the left entries; the balancer appended the address it saw
        assertThat(BALANCER.of("10.0.0.9", List.of("1.2.3.4, 5.6.7.8, 203.0.113.7"))).isEqualTo("203.0.113.7");
        // two proxies: the inner one's address is skipped, as are repeated headers in order
        assertThat(BALANCER.of("10.0.0.9", List.of("1.2.3.4, 203.0.113.7", "192.168.7.5"))).isEqualTo("203.0.113.7");
        assertThat(BALANCER.of("fd00::1", List.of("2001:db8::7"))).isEqualTo("2001:db8::7");
        assertThat(BALANCER.of("10.0.0.9", List.of("[2001:db8::7]:443"))).isEqualTo("2001:db8::7");
        assertThat(BALANCER.of("10.0.0.9", List.of("203.0.113.7:51234"))).isEqualTo("203.0.113.7");
    }

    @Test
    void whatATrustedProxyDidNotWriteAsAnAddressStopsTheWalk() {
        assertThat(BALANCER.of("10.0.0.9", List.of("unknown"))).isEqualTo("10.0.0.9");
        assertThat(BALANCER.of("10.0.0.9", List.of("evil.example, 10.0.0.3"))).as("never a name lookup").isEqualTo("10.0.0.3");
        assertThat(BALANCER.of("10.0.0.9", List.of("999.1.1.1"))).isEqualTo("10.0.0.9");
        assertThat(BALANCER.of("10.0.0.9", List.of())).isEqualTo("10.0.0.9");
        assertThat(BALANCER.of("10.0.0.9", null)).isEqualTo("10.0.0.9");
        // every entry trusted: the farthest of them
        assertThat(BALANCER.of("10.0.0.9", List.of("10.1.1.1, 10.0.0.3"))).isEqualTo("10.1.1.1");
    }

    @Test
    void entriesThatAreNotAddressesOrNetworksAreRefusedByName() {
        assertThatThrownBy(() -> ClientAddress.trusting(List.of("lb.internal"))).hasMessageContaining("lb.internal");
        assertThatThrownBy(() -> ClientAddress.trusting(List.of("10.0.0.0/33"))).hasMessageContaining("10.0.0.0/33");
        assertThatThrownBy(() -> ClientAddress.trusting(List.of("10.0.0.0/x"))).hasMessageContaining("10.0.0.0/x");
        assertThatThrownBy(() -> ClientAddress.trusting(List.of("::1/129"))).hasMessageContaining("::1/129");
        assertThatThrownBy(() -> TestServer.start(Map.of("trusted-proxies", "10.0.0.0/8,nonsense")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("trusted-proxies").hasMessageContaining("nonsense");
    }

    @Test
    void theServerCountsTheForwardedAddressOnlyFromATrustedProxy() {
        assertThat(auditedAddress(Map.of("trusted-proxies", "127.0.0.1"))).isEqualTo("203.0.113.7");
        assertThat(auditedAddress(Map.of())).as("a caller cannot pick its own address").isEqualTo("127.0.0.1");
    }

    /** The {@code ip} of the audit line of a token request sent from loopback with {@code X-Forwarded-For: 203.0.113.7}. */
    private static String auditedAddress(Map<String, String> settings) {
        try (TestServer server = TestServer.start(settings); LogCapture log = LogCapture.start()) {
            String secret = server.basicClient("forwarded", "read").clientSecret();
            server.postForm("/token", "grant_type=client_credentials", "Authorization", basic("forwarded", secret),
                    "X-Forwarded-For", "203.0.113.7");
            return log.audit("token.issue").getFirst().path("ip").asText();
        }
    }
}
