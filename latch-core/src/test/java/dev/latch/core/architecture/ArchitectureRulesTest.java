package dev.latch.core.architecture;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import org.junit.jupiter.api.Test;

/** The shared rules fail on the shapes they forbid (fixtures under {@code fixture/}), so a green module test means something. */
class ArchitectureRulesTest {

    private static final String FIXTURE = "dev.latch.core.architecture.fixture";
    private static final JavaClasses CLASSES = new ClassFileImporter().importPackages(FIXTURE);

    @Test
    void packagesThatReachBackIntoTheirAssemblerThenCycleReported() {
        assertThatThrownBy(() -> ArchitectureRules.packagesFreeOfCycles(FIXTURE).check(CLASSES))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("Cycle detected")
                .hasMessageContaining(FIXTURE + ".a")
                .hasMessageContaining(FIXTURE + ".b");
    }

    @Test
    void packagesWithoutCycleThenAccepted() {
        assertThatCode(() -> ArchitectureRules.packagesFreeOfCycles(FIXTURE + ".c").check(CLASSES)).doesNotThrowAnyException();
    }

    @Test
    void dependencyOnAForbiddenPackageThenReported() {
        assertThatThrownBy(() -> ArchitectureRules.independentOf(FIXTURE + ".a..").check(CLASSES))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("Feature");
        assertThatCode(() -> ArchitectureRules.independentOf("dev.latch.server..").check(CLASSES)).doesNotThrowAnyException();
    }

    @Test
    void frameworkTypesOutsideTheAdapterThenReported() {
        String[] junit = {"org.junit.."};
        assertThatThrownBy(() -> ArchitectureRules.usedOnlyIn(junit).check(CLASSES))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("Adapter");
        assertThatCode(() -> ArchitectureRules.usedOnlyIn(junit, FIXTURE + ".c..").check(CLASSES)).doesNotThrowAnyException();
        assertThatCode(() -> ArchitectureRules.httpFrameworksOnlyIn().check(CLASSES)).doesNotThrowAnyException();
    }
}
