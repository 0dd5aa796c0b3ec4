package dev.latch.core.jose;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.nimbusds.jose.util.Base64URL;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Coverage-guided fuzzing of latch-core's JWT parsing ({@link JwtParsing}, what the server, the resource-server
 * library, the client library and the gateway parse tokens they are sent with): it may fail only with
 * {@link ParseException}. The token is raw, or a header and payload of fuzzed JSON text base64url-encoded
 * (so Nimbus's JSON handling is reached). Under {@code mvn verify} this runs the inputs kept in
 * {@code JwtParsingFuzzTestInputs/}; {@code bench/fuzz.sh} fuzzes it.
 */
class JwtParsingFuzzTest {

    @FuzzTest
    @DictionaryEntries({"{\"alg\":\"RS256\"}", "{\"alg\":\"none\"}", "{\"alg\":\"RSA-OAEP\",\"enc\":\"A128GCM\"}", "\"alg\":", "\"typ\":",
            "\"kid\":", "\"crit\":[\"b64\"]", "\"b64\":false", "\"jwk\":{", "\"x5c\":[", "\"iss\":", "\"aud\":[", "\"exp\":", "null", "[]",
            "{}", "1e400", ".", "eyJhbGciOiJSUzI1NiJ9"})
    void parse(FuzzedDataProvider data) {
        String token = data.consumeBoolean() ? data.consumeRemainingAsString()
                : encode(data.consumeString(300)) + "." + encode(data.consumeString(600)) + "." + data.consumeRemainingAsString();
        try {
            JwtParsing.signedJwt(token);
        } catch (ParseException refused) {
            // the one refusal
        }
        try {
            JwtParsing.jws(token);
        } catch (ParseException refused) {
            // the one refusal
        }
        try {
            JwtParsing.jwt(token);
        } catch (ParseException refused) {
            // the one refusal
        }
    }

    /** Found by bench/fuzz.sh (ClientAssertionFuzzTest): Nimbus threw NullPointerException for a header or payload of JSON null. */
    @ParameterizedTest
    @ValueSource(strings = {"null|{}", "{\"alg\":\"HS256\"}|null", "null|null", "{\"alg\":\"none\"}|null"})
    void jsonNullHeaderOrPayloadIsAParseException(String parts) {
        String[] p = parts.split("\\|");
        String token = encode(p[0]) + "." + encode(p[1]) + "." + encode("sig");
        assertThatThrownBy(() -> JwtParsing.signedJwt(token)).isInstanceOf(ParseException.class);
        if (p[0].equals("null")) {
            assertThatThrownBy(() -> JwtParsing.jws(token)).isInstanceOf(ParseException.class);
        }
        assertThatThrownBy(() -> JwtParsing.jwt(token.substring(0, token.lastIndexOf('.') + 1) + (p[0].contains("none") ? "" : "c2ln")))
                .isInstanceOf(ParseException.class);
    }

    private static String encode(String json) {
        return Base64URL.encode(json.getBytes(StandardCharsets.UTF_8)).toString();
    }
}
