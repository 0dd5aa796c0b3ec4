package dev.latch.server.signin;

import dev.latch.server.TestServer;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A minimal browser for HTTP-level sign-in tests: keeps cookies, never follows redirects, reads hidden fields. */
public final class Agent {

    public final Map<String, String> cookies = new LinkedHashMap<>();

    public HttpResponse<String> get(String url) {
        return keep(TestServer.send(with(HttpRequest.newBuilder(URI.create(url))).GET().build()));
    }

    public HttpResponse<String> post(String url, String form) {
        return keep(TestServer.send(with(HttpRequest.newBuilder(URI.create(url)))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build()));
    }

    private HttpRequest.Builder with(HttpRequest.Builder b) {
        if (!cookies.isEmpty()) {
            StringBuilder c = new StringBuilder();
            cookies.forEach((k, v) -> c.append(c.length() == 0 ? "" : "; ").append(k).append('=').append(v));
            b.header("Cookie", c.toString());
        }
        return b;
    }

    private HttpResponse<String> keep(HttpResponse<String> r) {
        for (String set : r.headers().allValues("set-cookie")) {
            String pair = set.split(";", 2)[0];
            int eq = pair.indexOf('=');
            String value = pair.substring(eq + 1);
            if (value.isEmpty() || set.contains("Max-Age=0")) cookies.remove(pair.substring(0, eq));
            else cookies.put(pair.substring(0, eq), value);
        }
        return r;
    }

    /** The value of hidden input {@code name} in an HTML page. */
    public static String field(String html, String name) {
        Matcher m = Pattern.compile("name=\"" + Pattern.quote(name) + "\" value=\"([^\"]*)\"").matcher(html);
        if (!m.find()) throw new AssertionError("no field " + name + " in " + html);
        return m.group(1);
    }

    /** The query parameters of a Location header. */
    public static Map<String, String> query(String location) {
        Map<String, String> out = new LinkedHashMap<>();
        String q = URI.create(location).getRawQuery();
        if (q == null) return out;
        for (String pair : q.split("&")) {
            int eq = pair.indexOf('=');
            out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }
}
