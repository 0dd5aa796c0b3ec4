package dev.latch.client.peers;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.TestAbortedException;

/** Missing peers skip a developer's run but fail CI's (where {@code CI} is set). */
class OidcProviderPeerInstalledTest {

    @TempDir
    Path peers;

    @Test
    void notInstalledWithCiSetThenFailsNamingTheFix() {
        assertThatThrownBy(() -> OidcProviderPeer.requireInstalled(peers, Map.of("CI", "true")))
                .isInstanceOf(AssertionError.class)
                .hasMessage("npm oidc-provider is not installed: run 'npm ci --no-audit --no-fund' in " + peers
                        + " (CI does); CI is set, so this fails rather than skips");
    }

    @Test
    void notInstalledOnADeveloperMachineThenSkippedWithTheMessage() {
        assertThatThrownBy(() -> OidcProviderPeer.requireInstalled(peers, Map.of()))
                .isInstanceOf(TestAbortedException.class)
                .hasMessageContaining("npm oidc-provider is not installed: run 'npm ci --no-audit --no-fund' in " + peers);
        assertThatThrownBy(() -> OidcProviderPeer.requireInstalled(peers, Map.of("CI", "")))
                .as("CI set but empty counts as unset").isInstanceOf(TestAbortedException.class);
    }

    @Test
    void installedThenRunsWhateverCiSays() throws Exception {
        Files.createDirectories(peers.resolve("node_modules").resolve("oidc-provider"));
        assertThatCode(() -> OidcProviderPeer.requireInstalled(peers, Map.of("CI", "true"))).doesNotThrowAnyException();
        assertThatCode(() -> OidcProviderPeer.requireInstalled(peers, Map.of())).doesNotThrowAnyException();
    }
}
