package dev.latch.keycloak;

import dev.latch.server.audit.AuditSecrecyIT;

/**
 * latch-keycloak-test is the last module of the build: after its tests every module's have run, so this is
 * {@link AuditSecrecyIT} over the audit lines and secrets of the whole suite.
 */
class AuditSecrecyOfTheWholeSuiteIT extends AuditSecrecyIT {

    @Override
    protected boolean wholeSuite() {
        return true; // a partial run (-Dtest=…) that starts no server skips it with -DskipITs
    }
}
