package dev.latch.client.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import dev.latch.core.architecture.ArchitectureRules;
import org.junit.jupiter.api.Test;

/**
 * latch-client: a small-dependency library, usable without the server on the classpath (its tests use
 * the server; its main classes never do), on the JDK's {@code HttpClient} rather than an HTTP framework.
 */
class ClientArchitectureTest {

    private static final JavaClasses MAIN = ArchitectureRules.mainClasses("dev.latch.client");

    @Test
    void packagesFreeOfCycles() {
        ArchitectureRules.packagesFreeOfCycles("dev.latch.client").check(MAIN);
    }

    @Test
    void neverDependsOnTheServerGatewayOrCli() {
        ArchitectureRules.independentOf("dev.latch.server..", "dev.latch.gateway..", "dev.latch.resource..", "dev.latch.cli..").check(MAIN);
    }

    @Test
    void noHttpFramework() {
        ArchitectureRules.httpFrameworksOnlyIn().check(MAIN);
    }
}
