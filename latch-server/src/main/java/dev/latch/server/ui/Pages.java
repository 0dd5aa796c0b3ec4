package dev.latch.server.ui;

import dev.latch.server.secret.Secrets;
import dev.latch.server.config.ServerConfig;
import dev.latch.server.http.Response;
import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.Utf8ByteOutput;
import java.util.HashMap;
import java.util.Map;

/**
 * Renders the server's HTML pages (templates in {@code src/main/jte}, compiled at build time) with the
 * headers every page needs: a nonce-based Content-Security-Policy with {@code frame-ancestors 'none'}
 * (clickjacking), {@code no-store} (pages carry CSRF tokens and codes), {@code nosniff} and no referrer
 * (a code or request URI in the URL must not leak to the next site).
 */
public final class Pages {

    private final TemplateEngine engine = TemplateEngine.createPrecompiled(ContentType.Html);
    private final ServerConfig.Branding branding;

    public Pages(ServerConfig.Branding branding) {
        this.branding = branding;
    }

    /**
     * @param leavesSite true when a form on the page (or the redirect answering it) goes to a client:
     *                   {@code form-action 'self'} would then block it, since browsers apply form-action
     *                   to the redirects that follow a submission
     * @param script     true for the one page that runs a (nonce-bearing) inline script: form_post
     */
    public Response render(int status, String template, Map<String, Object> parameters, boolean leavesSite, boolean script) {
        String nonce = Secrets.generate(128);
        Map<String, Object> all = new HashMap<>(parameters);
        all.put("branding", branding);
        all.put("nonce", nonce);
        Utf8ByteOutput out = new Utf8ByteOutput();
        engine.render(template + ".jte", all, out);
        byte[] body = out.toByteArray();
        String csp = "default-src 'none'; style-src 'nonce-" + nonce + "'; img-src 'self' https:; base-uri 'none'; frame-ancestors 'none'"
                + (script ? "; script-src 'nonce-" + nonce + "'" : "")
                + (leavesSite ? "" : "; form-action 'self'");
        return new Response(status, new java.util.LinkedHashMap<>(), body)
                .withHeader("Content-Type", "text/html;charset=UTF-8")
                .withHeader("Content-Security-Policy", csp)
                .withHeader("Cache-Control", "no-store")
                .withHeader("Pragma", "no-cache")
                .withHeader("X-Content-Type-Options", "nosniff")
                .withHeader("X-Frame-Options", "DENY")
                .withHeader("Referrer-Policy", "no-referrer");
    }

    /** An error page: the message is the public description only. */
    public Response error(int status, String title, String message, String code) {
        Map<String, Object> p = new HashMap<>();
        p.put("title", title);
        p.put("message", message);
        p.put("code", code);
        return render(status, "error", p, false, false);
    }
}
