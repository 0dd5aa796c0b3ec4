package dev.latch.core.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import org.junit.jupiter.api.Test;

/** latch-core: shared by the server, the client library and the gateway, so it depends on none of them and on no HTTP framework. */
class CoreArchitectureTest {

    private static final JavaClasses MAIN = ArchitectureRules.mainClasses("dev.latch.core");

    @Test
    void packagesFreeOfCycles() {
        ArchitectureRules.packagesFreeOfCycles("dev.latch.core").check(MAIN);
    }

    @Test
    void independentOfTheOtherModules() {
        ArchitectureRules.independentOf("dev.latch.server..", "dev.latch.client..", "dev.latch.gateway..", "dev.latch.resource..",
                "dev.latch.cli..").check(MAIN);
    }

    @Test
    void noHttpFramework() {
        ArchitectureRules.httpFrameworksOnlyIn().check(MAIN);
    }
}
