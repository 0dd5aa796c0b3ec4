package dev.latch.server.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import dev.latch.core.architecture.ArchitectureRules;
import org.junit.jupiter.api.Test;

/**
 * latch-server: package by feature, no package cycles; the HTTP framework (Javalin on Jetty) only in
 * the HTTP adapter ({@code http/}) and Jetty's client only in {@code outbound/}, so every feature
 * (token, registration, SMART…) adds its routes through {@code http.Routes} without framework types;
 * the server never depends on the gateway, the resource library or the CLI.
 */
class ServerArchitectureTest {

    private static final JavaClasses MAIN = ArchitectureRules.mainClasses("dev.latch.server");

    @Test
    void packagesFreeOfCycles() {
        ArchitectureRules.packagesFreeOfCycles("dev.latch.server").check(MAIN);
    }

    @Test
    void httpFrameworkOnlyInTheAdapter() {
        ArchitectureRules.httpFrameworksOnlyIn("dev.latch.server.http..", "dev.latch.server.outbound..").check(MAIN);
    }

    @Test
    void independentOfTheModulesBuiltOnIt() {
        ArchitectureRules.independentOf("dev.latch.gateway..", "dev.latch.resource..", "dev.latch.cli..").check(MAIN);
    }
}
