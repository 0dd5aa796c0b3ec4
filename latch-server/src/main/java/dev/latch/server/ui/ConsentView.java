package dev.latch.server.ui;

import java.util.List;

/**
 * What the consent page shows: the client as registered (display URIs are https only, checked at
 * registration) and each scope in plain words from the scope catalogue.
 */
public record ConsentView(String clientName, String logoUri, String clientUri, String policyUri, String tosUri, String username,
                          List<String> scopes) {}
