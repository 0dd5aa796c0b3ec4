package dev.latch.server.config;

import static dev.latch.server.config.ConfigNodes.section;
import static dev.latch.server.config.ConfigNodes.text;

import com.fasterxml.jackson.databind.JsonNode;
import dev.latch.server.config.ConfigLoader.ConfigException;
import java.util.Set;

/** Binds {@code branding}: the product name, logo and colour of the sign-in pages. */
final class BrandingSettings {

    private BrandingSettings() {}

    static ServerConfig.Branding bind(JsonNode root) {
        JsonNode brand = section(root, "branding", Set.of("product-name", "logo-url", "primary-color"));
        ServerConfig.Branding branding = new ServerConfig.Branding(text(brand, "product-name", "Latch"), text(brand, "logo-url"),
                text(brand, "primary-color", "#1d4ed8"));
        if (branding.productName().isBlank() || branding.productName().length() > 100) {
            throw new ConfigException("branding.product-name: must be 1-100 characters");
        }
        // The colour goes into a style sheet: only a plain hex colour is accepted, so config cannot inject CSS.
        if (!branding.primaryColor().matches("#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")) {
            throw new ConfigException("branding.primary-color: must be #rgb or #rrggbb (was " + branding.primaryColor() + ")");
        }
        if (branding.logoUrl() != null && !(branding.logoUrl().startsWith("https://")
                || (branding.logoUrl().startsWith("/") && !branding.logoUrl().startsWith("//")))) {
            throw new ConfigException("branding.logo-url: must be an https URL or a path on this server (was " + branding.logoUrl() + ")");
        }
        return branding;
    }
}
