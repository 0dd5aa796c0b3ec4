package dev.latch.core.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import com.tngtech.archunit.library.dependencies.SlicesRuleDefinition;

/**
 * The shape every module keeps, as ArchUnit rules over its main classes (this test-jar is shared so
 * each module states its own rules in a few lines; see {@code docs/ARCHITECTURE.md}):
 * <ul>
 *   <li>the packages under a module's root form no cycle (a shared primitive lives in a small package
 *       the features use, never in a feature or in the root that assembles them);</li>
 *   <li>a module does not depend on a module it must stay usable without (the client library on the
 *       server);</li>
 *   <li>HTTP framework types (Javalin, Jetty, the Servlet API) appear only in the packages that adapt
 *       HTTP, so the protocol code is testable without a server.</li>
 * </ul>
 */
public final class ArchitectureRules {

    /** The packages of the HTTP frameworks Latch uses: Javalin, Jetty (server, client, proxy) and Servlet. */
    public static final String[] HTTP_FRAMEWORKS = {"io.javalin..", "org.eclipse.jetty..", "jakarta.servlet.."};

    private ArchitectureRules() {}

    /** The main (not test) classes under {@code rootPackage}: what a module's rules are checked against. */
    public static JavaClasses mainClasses(String rootPackage) {
        return new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages(rootPackage);
    }

    /**
     * No cycle between the packages under {@code rootPackage}, each package one node (the root package
     * included, so a root that assembles the features cannot also hold what they share).
     */
    public static ArchRule packagesFreeOfCycles(String rootPackage) {
        return SlicesRuleDefinition.slices().assignedFrom(eachPackageUnder(rootPackage))
                .should().beFreeOfCycles()
                .because("a package cycle ties features together; move what they share to a small package both use");
    }

    /** No class depends on a class in any of {@code packages} (ArchUnit package patterns, e.g. {@code "dev.latch.server.."}). */
    public static ArchRule independentOf(String... packages) {
        return noClasses().should().dependOnClassesThat().resideInAnyPackage(packages);
    }

    /**
     * Javalin, Jetty and Servlet types only in {@code adapterPackages} (ArchUnit package patterns); with none
     * given, nowhere.
     */
    public static ArchRule httpFrameworksOnlyIn(String... adapterPackages) {
        return usedOnlyIn(HTTP_FRAMEWORKS, adapterPackages)
                .because("only the HTTP adapter knows the framework; the protocol code stays testable without a server");
    }

    /** Classes of {@code usedPackages} are used only by classes in {@code allowedPackages} (with none given, by none). */
    public static ArchRule usedOnlyIn(String[] usedPackages, String... allowedPackages) {
        if (allowedPackages.length == 0) {
            return noClasses().should().dependOnClassesThat().resideInAnyPackage(usedPackages);
        }
        return noClasses().that().resideOutsideOfPackages(allowedPackages).should().dependOnClassesThat().resideInAnyPackage(usedPackages);
    }

    private static SliceAssignment eachPackageUnder(String rootPackage) {
        return new SliceAssignment() {
            @Override
            public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
                String name = javaClass.getPackageName();
                return name.equals(rootPackage) || name.startsWith(rootPackage + ".")
                        ? SliceIdentifier.of(name) : SliceIdentifier.ignore();
            }

            @Override
            public String getDescription() {
                return "each package under " + rootPackage;
            }
        };
    }
}
