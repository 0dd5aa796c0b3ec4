package dev.latch.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.Signature;
import org.junit.jupiter.api.Test;

class CryptoProvidersTest {

    @Test
    void autoPrefersTheNativeProviderOnLinuxX86AndItSigns() throws Exception {
        CryptoProviders.Selection s = CryptoProviders.select(CryptoProviders.Mode.AUTO);
        if (System.getProperty("os.arch").equals("amd64") && System.getProperty("os.name").equals("Linux")) {
            assertThat(s.nativeProvider()).as(s.reason()).isTrue();
            assertThat(Signature.getInstance("SHA256withECDSA").getProvider().getName()).isEqualTo("AmazonCorrettoCryptoProvider");
        }
        assertThat(CryptoProviders.current()).isSameAs(s);
    }

    @Test
    void modeParsingNamesTheValidChoices() {
        assertThat(CryptoProviders.Mode.parse("JDK")).isEqualTo(CryptoProviders.Mode.JDK);
        assertThatThrownBy(() -> CryptoProviders.Mode.parse("fast")).hasMessage("--crypto must be one of jdk, native, auto (was fast)");
    }
}
