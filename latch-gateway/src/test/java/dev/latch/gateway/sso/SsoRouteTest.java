package dev.latch.gateway.sso;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link SsoRoute#sameSite}: a return address after sign-in or sign-out is only ever a path on this site. */
class SsoRouteTest {

    private static final String FALLBACK = "/fallback";

    @ParameterizedTest
    @ValueSource(strings = {"/", "/a", "/a?b=c", "/a/b/?b=c&d=e#top", "/a%2Fb", "/%2F%2Fevil.example", "/a//b", "/?rd=https://evil.example",
            "/caf%C3%A9", "/café"})
    void sameSiteWhenAPathOnThisSiteThenKept(String candidate) {
        assertThat(SsoRoute.sameSite(candidate, FALLBACK)).isEqualTo(candidate);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"//evil.example", "//evil.example/a?b=c", "///evil.example", "/\\evil.example", "/\\/evil.example",
            "\\\\evil.example", "\\/evil.example", "/a\\b", "https://evil.example", "http://evil.example/", "HTTPS://evil.example",
            "javascript:alert(1)", "JavaScript:alert(document.cookie)", "data:text/html,<script>alert(1)</script>", "evil.example",
            "a/b", "?a=b", "#top", " /a", "/a b", "/\t/evil.example", "/\n/evil.example", "/a\r\nSet-Cookie: x=y", "/\u0000",
            "/a\u007f", "\t//evil.example", "/a%zz", "/a%", "/a^b", "/a\"b", "/a<b>", "/a{b}", "/a|b", "/a`b"})
    void sameSiteWhenOffSiteOrMalformedThenTheFallback(String candidate) {
        assertThat(SsoRoute.sameSite(candidate, FALLBACK)).isEqualTo(FALLBACK);
    }
}
