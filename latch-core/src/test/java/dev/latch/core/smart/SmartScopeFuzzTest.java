package dev.latch.core.smart;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.List;

/**
 * Coverage-guided fuzzing of scope parsing (SMART clinical scopes and the checks built on them).
 * {@link SmartScope#parse} may refuse an input only with {@link IllegalArgumentException}; whatever it
 * accepts covers itself, describes itself and reads the same through {@link SmartScopes}. Any other
 * exception, or a broken property, is a finding. Under {@code mvn verify} this runs the inputs kept in
 * {@code SmartScopeFuzzTestInputs/} (regression mode); {@code bench/fuzz.sh} fuzzes it.
 */
class SmartScopeFuzzTest {

    @FuzzTest
    @DictionaryEntries({"patient/", "user/", "system/", "*", ".read", ".write", ".*", ".cruds", ".rs", "?", "&", "=", "%",
            "category=", "http://terminology.hl7.org/CodeSystem/observation-category|laboratory", "Observation", "launch/patient",
            "openid", " "})
    void scope(FuzzedDataProvider data) {
        String asked = data.consumeString(300);
        List<String> allowed = List.of(data.consumeString(200), data.consumeRemainingAsString());
        SmartScope parsed;
        try {
            parsed = SmartScope.parse(asked);
        } catch (IllegalArgumentException refused) {
            parsed = null;
        }
        if (parsed != null) {
            assertThat(parsed.covers(parsed)).as("a scope covers itself: %s", asked).isTrue();
            assertThat(parsed.describe()).isNotBlank();
            assertThat(parsed.permissionLetters()).isNotEmpty();
            assertThat(SmartScopes.covered(List.of(asked), asked)).isTrue();
            assertThat(SmartScopes.describe(asked)).isPresent();
            assertThat(SmartScopes.clinical(List.of(asked))).containsExactly(parsed);
        }
        try {
            SmartScopes.covered(allowed, asked);
        } catch (IllegalArgumentException refused) {
            assertThat(SmartScope.isClinical(asked)).as("only a malformed clinical scope is refused").isTrue();
        }
        SmartScopes.clinical(allowed);
        SmartScopes.hasSystemScope(asked + " " + String.join(" ", allowed));
        SmartScopes.describe(asked);
    }
}
