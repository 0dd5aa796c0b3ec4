package dev.latch.cli.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import dev.latch.core.architecture.ArchitectureRules;
import org.junit.jupiter.api.Test;

/**
 * latch-cli: {@code Main} assembles the command groups, one package each; what they share (the clock and
 * secrets of {@code context/}, {@code options/}, {@code fetch/}, {@code output/}, …) lives in small packages
 * of its own, so no command group reaches back into the root. Servers are started through the server's and
 * the gateway's own classes: no HTTP framework type here.
 */
class CliArchitectureTest {

    private static final JavaClasses MAIN = ArchitectureRules.mainClasses("dev.latch.cli");

    @Test
    void packagesFreeOfCycles() {
        ArchitectureRules.packagesFreeOfCycles("dev.latch.cli").check(MAIN);
    }

    @Test
    void noHttpFramework() {
        ArchitectureRules.httpFrameworksOnlyIn().check(MAIN);
    }
}
