package dev.latch.server.smart;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latch.server.signin.SignInFixture;
import dev.latch.core.smart.LaunchContext;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code smart.launch-lifetime}: the launch endpoint says it ({@code expires_in}) and the launch ends then. */
class LaunchLifetimeTest {

    @Test
    void aConfiguredLifetimeIsWhatTheLaunchGetsAndWhenItEnds() {
        try (SignInFixture f = new SignInFixture(SmartFixture.CALLBACK, Map.of("smart.fhir-servers.0.base", SmartFixture.BASE,
                "smart.launch-lifetime", "2m"))) {
            f.addClient(SmartFixture.app("app").build());
            LaunchStore store = new LaunchStore(f.server.sql());
            long now = f.clock.instant().getEpochSecond();

            Launches.Created created = f.server.server().launches().create(LaunchRequest.of("app", null, null, LaunchContext.ofPatient("p1")));

            assertThat(created.expiresIn()).isEqualTo(120);
            assertThat(store.find(created.launch(), now + 119)).isPresent();
            assertThat(store.find(created.launch(), now + 120)).as("over at its end").isEmpty();
        }
    }

    @Test
    void withoutTheSettingFiveMinutes() {
        try (SignInFixture f = new SignInFixture(SmartFixture.CALLBACK, Map.of("smart.fhir-servers.0.base", SmartFixture.BASE))) {
            f.addClient(SmartFixture.app("app").build());
            assertThat(f.server.server().launches().create(LaunchRequest.of("app", null, null, LaunchContext.ofPatient("p1"))).expiresIn()).isEqualTo(300);
        }
    }
}
