package dev.latch.server.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ExportKeyTest {

    static final ExportKey KEY = ExportKey.derive("export-key-for-unit-tests");

    @Test
    void wrapIsDeterministicAndUnwraps() {
        String a = KEY.wrap("client-secret:one", "the-hmac-key");
        assertThat(KEY.wrap("client-secret:one", "the-hmac-key")).isEqualTo(a);
        assertThat(ExportKey.derive("export-key-for-unit-tests").wrap("client-secret:one", "the-hmac-key")).isEqualTo(a);
        assertThat(a).startsWith("x1.").doesNotContain("the-hmac-key");
        assertThat(KEY.unwrap("client-secret:one", a)).isEqualTo("the-hmac-key");
    }

    @Test
    void wrapWhenPurposeOrPlaintextDiffersThenNonceDiffersToo() {
        String a = KEY.wrap("client-secret:one", "the-hmac-key");
        String otherPurpose = KEY.wrap("client-secret:two", "the-hmac-key");
        String otherPlaintext = KEY.wrap("client-secret:one", "the-hmac-kez");
        // the first 12 bytes (16 base64url characters after "x1.") are the synthetic nonce
        assertThat(otherPurpose.substring(3, 19)).isNotEqualTo(a.substring(3, 19));
        assertThat(otherPlaintext.substring(3, 19)).isNotEqualTo(a.substring(3, 19));
    }

    @Test
    void unwrapWhenPurposeKeyOrValueWrongThenRefused() {
        String a = KEY.wrap("client-secret:one", "the-hmac-key");
        assertThatThrownBy(() -> KEY.unwrap("client-secret:two", a)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cannot unwrap the value for client-secret:two");
        assertThatThrownBy(() -> ExportKey.derive("another-export-key-value").unwrap("client-secret:one", a))
                .isInstanceOf(IllegalArgumentException.class);
        String flipped = a.substring(0, a.length() - 2) + (a.endsWith("A") ? "B" : "A") + a.charAt(a.length() - 1);
        assertThatThrownBy(() -> KEY.unwrap("client-secret:one", flipped)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> KEY.unwrap("client-secret:one", "v1.abc")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void macVerifiesOnlyTheSameContentUnderTheSameKey() {
        byte[] content = "{\"format\":\"latch-config-export\"}".getBytes(StandardCharsets.UTF_8);
        String mac = KEY.mac(content);
        assertThat(KEY.verify(content, mac)).isTrue();
        assertThat(KEY.verify("{\"format\":\"latch-config-exporT\"}".getBytes(StandardCharsets.UTF_8), mac)).isFalse();
        assertThat(ExportKey.derive("another-export-key-value").verify(content, mac)).isFalse();
        assertThat(KEY.verify(content, null)).isFalse();
        assertThat(KEY.verify(content, "!!not base64!!")).isFalse();
    }

    @Test
    void deriveWhenSecretShortThenRefused() {
        assertThatThrownBy(() -> ExportKey.derive("fifteen-chars!!")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--export-key must be at least 16 characters (generate one with: openssl rand -base64 32)");
    }
}
