package dev.latch.resource.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import dev.latch.core.architecture.ArchitectureRules;
import org.junit.jupiter.api.Test;

/**
 * latch-resource: a library for resource servers, usable without the authorization server, the
 * gateway or the CLI on the classpath; no package cycles.
 */
class ResourceArchitectureTest {

    private static final JavaClasses MAIN = ArchitectureRules.mainClasses("dev.latch.resource");

    @Test
    void packagesFreeOfCycles() {
        ArchitectureRules.packagesFreeOfCycles("dev.latch.resource").check(MAIN);
    }

    @Test
    void independentOfServerGatewayAndCli() {
        ArchitectureRules.independentOf("dev.latch.server..", "dev.latch.gateway..", "dev.latch.cli..").check(MAIN);
    }
}
