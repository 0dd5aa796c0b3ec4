package dev.latch.server.authorize;

import dev.latch.core.smart.LaunchContext;
import java.util.Optional;

/**
 * The EHR launches an authorization request may name with SMART's {@code launch} parameter (SMART App
 * Launch 2.2 §"EHR Launch"): each single use, short-lived and bound to one client.
 */
public interface EhrLaunches {

    /**
     * One launch as the EHR created it.
     *
     * @param iss      the FHIR base the app was sent to (which the request's {@code aud} must name)
     * @param username the Latch user the launch is for, or null for whoever signs in
     */
    record EhrLaunch(String clientId, String iss, String username, LaunchContext context, long expiresAt) {}

    /** The launch {@code launch} names, when it exists, is unused and has not expired at {@code now}. */
    Optional<EhrLaunch> find(String launch, long now);

    /**
     * Uses the launch up: true for the one caller (on any node sharing the database) that finds it
     * unused and unexpired, false for every other.
     */
    boolean consume(String launch, long now);
}
