package dev.latch.gateway.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import dev.latch.core.architecture.ArchitectureRules;
import org.junit.jupiter.api.Test;

/**
 * latch-gateway: one package per concern, no package cycles; it is built on Jetty's core handlers
 * throughout (no Javalin, no Servlet), checks tokens through latch-resource and never depends on the
 * authorization server or the CLI.
 */
class GatewayArchitectureTest {

    private static final JavaClasses MAIN = ArchitectureRules.mainClasses("dev.latch.gateway");

    @Test
    void packagesFreeOfCycles() {
        ArchitectureRules.packagesFreeOfCycles("dev.latch.gateway").check(MAIN);
    }

    @Test
    void independentOfTheServerAndTheCli() {
        ArchitectureRules.independentOf("dev.latch.server..", "dev.latch.cli..", "io.javalin..", "jakarta.servlet..").check(MAIN);
    }
}
