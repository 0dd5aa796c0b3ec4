package dev.latch.server.token;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.util.Base64URL;
import dev.latch.server.FuzzFixture;
import dev.latch.server.keys.JdbcKeyStore;
import dev.latch.server.keys.KeyRing;
import dev.latch.server.keys.MasterKey;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Coverage-guided fuzzing of JWT parsing where the server reads tokens it is shown: {@link AccessTokenReader}
 * (introspection, revocation, userinfo and the SMART launch endpoint) over {@link KeyRing#verifiedJwt}. A
 * token that is not one of ours, valid, is {@code Optional.empty()}; every exception is a finding. Inputs are a
 * raw token, fuzzed header and payload JSON signed with the ring's key ({@code KID} in the header stands
 * for its key id), or claims chosen around what the reader accepts. Under {@code mvn verify} this runs the
 * inputs kept in {@code AccessTokenFuzzTestInputs/}.
 */
class AccessTokenFuzzTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> TYPES = List.of("at+jwt", "application/at+jwt", "JWT", "jwt", "client-authentication+jwt", "");
    private static FuzzFixture fixture;
    private static KeyRing keys;
    private static KeyRing.ActiveKey active;
    private static AccessTokenReader reader;

    @BeforeAll
    static void open() {
        fixture = new FuzzFixture();
        keys = new KeyRing(new JdbcKeyStore(fixture.database().sql(), MasterKey.random()), fixture.clock(), Duration.ofHours(1),
                Duration.ofHours(1), Duration.ofSeconds(2));
        active = keys.active(JWSAlgorithm.ES256);
        reader = new AccessTokenReader(keys, null, new OpaqueTokenStore(fixture.database().sql()),
                new RevokedTokens(fixture.database().sql()), fixture.clock(), FuzzFixture.ISSUER)
                .requiringActiveClient(fixture.authentication()::isActive);
    }

    @AfterAll
    static void close() {
        fixture.close();
    }

    @FuzzTest
    @DictionaryEntries({"{\"alg\":\"ES256\",\"kid\":\"KID\",\"typ\":\"at+jwt\"}", "\"kid\":\"KID\"", "\"alg\":\"ES256\"", "\"typ\":",
            "\"iss\":\"https://as.example\"", "\"sub\":", "\"aud\":", "\"client_id\":\"basic\"", "\"scope\":", "\"jti\":", "\"exp\":1767229200",
            "\"iat\":1767225600", "\"fhirContext\":[{", "\"patient\":", "\"need_patient_banner\":true", "\"fhirUser\":", "\"crit\":",
            "\"b64\":false", "null", "[]", "{}", "1e400", "-1", ".", "..", "eyJhbGciOiJub25lIn0"})
    void accessToken(FuzzedDataProvider data) {
        String token = switch (data.consumeInt(0, 2)) {
            case 0 -> data.consumeRemainingAsString();
            case 1 -> signed(data.consumeString(300).replace("KID", active.key().kid()), data.consumeRemainingAsString());
            default -> structured(data);
        };
        Optional<AccessToken> read = reader.parse(token);
        Optional<AccessToken> valid = reader.active(token);
        if (valid.isPresent()) {
            assertThat(read).contains(valid.get());
            assertThat(valid.get().issuer()).isEqualTo(FuzzFixture.ISSUER);
        }
    }

    private static String structured(FuzzedDataProvider data) {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("alg", data.consumeInt(0, 15) == 0 ? data.consumeString(10) : "ES256");
        if (data.consumeInt(0, 15) != 0) header.put("kid", data.consumeInt(0, 7) == 0 ? data.consumeString(20) : active.key().kid());
        if (data.consumeBoolean()) header.put("typ", data.consumeBoolean() ? data.pickValue(TYPES) : data.consumeString(20));
        Map<String, Object> claims = new LinkedHashMap<>();
        long now = FuzzFixture.NOW.getEpochSecond();
        if (data.consumeInt(0, 15) != 0) claims.put("iss", data.consumeInt(0, 7) == 0 ? data.consumeString(30) : FuzzFixture.ISSUER);
        if (data.consumeBoolean()) claims.put("sub", data.consumeString(20));
        if (data.consumeBoolean()) claims.put("aud", data.consumeBoolean() ? FuzzFixture.API : List.of(FuzzFixture.API, FuzzFixture.FHIR_BASE));
        if (data.consumeInt(0, 7) != 0) claims.put("client_id", data.consumeBoolean() ? "basic" : data.consumeString(20));
        if (data.consumeBoolean()) claims.put("scope", data.consumeString(60));
        if (data.consumeInt(0, 15) != 0) claims.put("jti", data.consumeString(30));
        if (data.consumeBoolean()) claims.put("iat", now + data.consumeLong(-7200, 7200));
        if (data.consumeInt(0, 15) != 0) claims.put("exp", now + data.consumeLong(-7200, 7200));
        if (data.consumeBoolean()) claims.put("patient", data.consumeBoolean() ? data.consumeString(20) : data.consumeInt());
        if (data.consumeBoolean()) claims.put("fhirContext", List.of(Map.of("reference", data.consumeString(30)), data.consumeString(10)));
        if (data.consumeBoolean()) claims.put("need_patient_banner", data.consumeBoolean());
        if (data.consumeInt(0, 7) == 0) claims.put(data.consumeString(12), data.consumeString(40));
        try {
            return signed(JSON.writeValueAsString(header), JSON.writeValueAsString(claims));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code header} and {@code payload} as sent, base64url-encoded and signed with the ring's active ES256 key. */
    private static String signed(String header, String payload) {
        String input = Base64URL.encode(header.getBytes(StandardCharsets.UTF_8)) + "." + Base64URL.encode(payload.getBytes(StandardCharsets.UTF_8));
        try {
            return input + "." + active.signer().sign(new JWSHeader(JWSAlgorithm.ES256), input.getBytes(StandardCharsets.US_ASCII));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }
}
