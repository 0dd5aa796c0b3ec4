package dev.latch.bench;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Load for the sign-in side of Latch, as browsers and a confidential client would send it: each
 * worker is a virtual thread playing one browser at a time (its own cookies), redirects are read,
 * never followed to the callback (nothing listens there).
 *
 * <ul>
 *   <li>{@code roundtrip}: a new browser per operation: GET /authorize → login page → POST login (CSRF
 *       token from the page) → consent POST when asked (the first time; then remembered) → code from
 *       the 303 → POST /token (authorization_code, PKCE S256, client_secret_basic);</li>
 *   <li>{@code login}: the same up to the code (GET /authorize + login POST; no token request);</li>
 *   <li>{@code refresh}: each worker first gets a refresh token (offline_access with prompt=consent),
 *       then rotates it: POST /token grant_type=refresh_token, keeping the new one each time.</li>
 * </ul>
 *
 *
 * <p>{@code SignInLoad families --count N ...} makes N refresh-token families (a sign-in and a code exchange
 * each, 8 at a time) and prints their refresh tokens, one per line, for {@code bench/run.sh}'s wrk run.
 *
 * <p>Usage: {@code SignInLoad MODE --base URL --client-id ID --secret S --user U --password P --redirect-uri URI
 * [--workers 16] [--warmup 5] [--seconds 20]}. Prints one line:
 * {@code WARM} after the warm-up, then {@code RESULT mode ops seconds ops/s p50-ms p99-ms errors busy503 load-cpu-s} and, on errors, the first one.
 */
public final class SignInLoad {

    private static final Pattern HIDDEN = Pattern.compile("name=\"([a-z_]+)\" value=\"([^\"]*)\"");
    private static final Pattern REFRESH = Pattern.compile("\"refresh_token\"\\s*:\\s*\"([^\"]+)\"");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(10)).build();
    private final String base, clientId, basic, user, password, redirectUri;
    private final AtomicLong errors = new AtomicLong(), busy = new AtomicLong();
    private volatile String firstError;

    SignInLoad(String base, String clientId, String secret, String user, String password, String redirectUri) {
        this.base = base;
        this.clientId = clientId;
        this.basic = "Basic " + Base64.getEncoder().encodeToString((enc(clientId) + ":" + enc(secret)).getBytes(StandardCharsets.UTF_8));
        this.user = user;
        this.password = password;
        this.redirectUri = redirectUri;
    }

    /** One simulated browser: its cookies. */
    private final class Browser {
        final Map<String, String> cookies = new LinkedHashMap<>();

        HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
            if (!cookies.isEmpty()) {
                StringBuilder c = new StringBuilder();
                cookies.forEach((k, v) -> c.append(c.isEmpty() ? "" : "; ").append(k).append('=').append(v));
                b.header("Cookie", c.toString());
            }
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            for (String set : r.headers().allValues("set-cookie")) {
                String pair = set.split(";", 2)[0];
                int eq = pair.indexOf('=');
                cookies.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
            }
            return r;
        }

        HttpResponse<String> get(String url) throws Exception {
            return send(HttpRequest.newBuilder(URI.create(url)).GET());
        }

        HttpResponse<String> post(String url, String form) throws Exception {
            return send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form)));
        }
    }

    static final class Failure extends Exception {
        final boolean busy;

        Failure(String message, boolean busy) {
            super(message, null, false, false);
            this.busy = busy;
        }
    }

    private static Failure unexpected(String step, HttpResponse<String> r) {
        String body = r.body() == null ? "" : r.body().replaceAll("\\s+", " ");
        return new Failure(step + ": HTTP " + r.statusCode() + " " + body.substring(0, Math.min(300, body.length())), r.statusCode() == 503);
    }

    /** Signs in with a new browser and returns the code; the PKCE verifier is put in {@code verifier[0]}. */
    private String signIn(String scope, boolean promptConsent, String[] verifier) throws Exception {
        Browser b = new Browser();
        byte[] v = new byte[32];
        RANDOM.nextBytes(v);
        verifier[0] = Base64.getUrlEncoder().withoutPadding().encodeToString(v);
        String challenge = Base64.getUrlEncoder().withoutPadding()
                .encodeToString(MessageDigest.getInstance("SHA-256").digest(verifier[0].getBytes(StandardCharsets.US_ASCII)));
        String url = base + "/authorize?response_type=code&client_id=" + enc(clientId) + "&redirect_uri=" + enc(redirectUri)
                + "&scope=" + enc(scope) + "&state=s" + RANDOM.nextInt(1_000_000) + "&code_challenge=" + challenge
                + "&code_challenge_method=S256" + (promptConsent ? "&prompt=consent" : "");
        HttpResponse<String> page = b.get(url);
        if (page.statusCode() != 200 || !page.body().contains("name=\"password\"")) throw unexpected("GET /authorize", page);
        Map<String, String> f = hidden(page.body());
        HttpResponse<String> r = b.post(base + "/authorize/login", "interaction=" + enc(f.get("interaction")) + "&csrf="
                + enc(f.get("csrf")) + "&username=" + enc(user) + "&password=" + enc(password));
        if (r.statusCode() == 200 && r.body().contains("name=\"decision\"")) {
            Map<String, String> c = hidden(r.body());
            r = b.post(base + "/authorize/consent", "interaction=" + enc(c.get("interaction")) + "&csrf=" + enc(c.get("csrf"))
                    + "&decision=approve");
        }
        String location = r.headers().firstValue("location").orElse("");
        if (r.statusCode() != 303 || !location.startsWith(redirectUri)) throw unexpected("POST login/consent", r);
        Matcher m = Pattern.compile("[?&]code=([^&]+)").matcher(location);
        if (!m.find()) throw new Failure("no code in " + location, false);
        return java.net.URLDecoder.decode(m.group(1), StandardCharsets.UTF_8);
    }

    String token(String form) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/token")).header("Authorization", basic)
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200 || !r.body().contains("\"access_token\"")) throw unexpected("POST /token", r);
        return r.body();
    }

    private String exchange(String code, String verifier) throws Exception {
        return token("grant_type=authorization_code&code=" + enc(code) + "&redirect_uri=" + enc(redirectUri) + "&code_verifier=" + verifier);
    }

    static String refreshToken(String tokenResponse) throws Failure {
        Matcher m = REFRESH.matcher(tokenResponse);
        if (!m.find()) throw new Failure("no refresh_token in " + tokenResponse, false);
        return m.group(1);
    }

    /** One worker's repeated operation; state (a refresh token) lives in the worker. */
    private interface Operation {
        void run() throws Exception;
    }

    private Operation operation(String mode) throws Exception {
        return switch (mode) {
            case "roundtrip" -> () -> {
                String[] v = new String[1];
                String code = signIn("openid", false, v);
                exchange(code, v[0]);
            };
            case "login" -> () -> signIn("openid", false, new String[1]);
            case "refresh" -> {
                String[] rt = {newFamily()};
                yield () -> rt[0] = refreshToken(token("grant_type=refresh_token&refresh_token=" + enc(rt[0])));
            }
            default -> throw new IllegalArgumentException("unknown mode " + mode + " (roundtrip, login, refresh)");
        };
    }

    private record Run(long ops, double seconds, long[] latencies) {}

    /** One operation per worker (refresh: each worker its own token family, made here, before any timing). */
    private Operation[] operations(String mode, int workers) throws Exception {
        Operation[] ops = new Operation[workers];
        for (int i = 0; i < workers; i++) ops[i] = operation(mode);
        return ops;
    }

    private Run run(String mode, Operation[] ops, int seconds) throws Exception {
        int workers = ops.length;
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        List<long[]> perWorker = new ArrayList<>();
        int[] counts = new int[workers];
        List<Thread> threads = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < workers; i++) {
            long[] lat = new long[1 << 17];
            perWorker.add(lat);
            int w = i;
            threads.add(Thread.ofVirtual().start(() -> {
                while (System.nanoTime() < end) {
                    long s = System.nanoTime();
                    try {
                        ops[w].run();
                        if (counts[w] < lat.length) lat[counts[w]++] = System.nanoTime() - s;
                    } catch (Failure f) {
                        (f.busy ? busy : errors).incrementAndGet();
                        if (firstError == null) firstError = f.getMessage();
                        if (!f.busy && mode.equals("refresh")) return; // the family may be revoked: this worker stops
                    } catch (Exception e) {
                        errors.incrementAndGet();
                        if (firstError == null) firstError = e.toString();
                    }
                }
            }));
        }
        for (Thread t : threads) t.join();
        double elapsed = (System.nanoTime() - t0) / 1e9;
        long total = 0;
        for (int c : counts) total += c;
        long[] all = new long[(int) total];
        int k = 0;
        for (int i = 0; i < workers; i++) {
            System.arraycopy(perWorker.get(i), 0, all, k, counts[i]);
            k += counts[i];
        }
        Arrays.sort(all);
        return new Run(total, elapsed, all);
    }

    private static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) return Double.NaN;
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)] / 1e6;
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        Map<String, String> o = new LinkedHashMap<>(Map.of("--workers", "16", "--warmup", "5", "--seconds", "20"));
        for (int i = 1; i + 1 < args.length; i += 2) o.put(args[i], args[i + 1]);
        SignInLoad load = new SignInLoad(o.get("--base"), o.get("--client-id"), o.get("--secret"), o.get("--user"), o.get("--password"),
                o.get("--redirect-uri"));
        if (mode.equals("families")) {
            load.printFamilies(Integer.parseInt(o.get("--count")));
            return;
        }
        int workers = Integer.parseInt(o.get("--workers"));
        if (Integer.parseInt(o.get("--warmup")) > 0) {
            load.run(mode, load.operations(mode, workers), Integer.parseInt(o.get("--warmup")));
        }
        Operation[] ops = load.operations(mode, workers);
        load.errors.set(0);
        load.busy.set(0);
        load.firstError = null;
        System.out.println("WARM"); // the caller starts its CPU window here
        System.out.flush();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        Run r = load.run(mode, ops, Integer.parseInt(o.get("--seconds")));
        double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
        System.out.printf("RESULT %s %d %.3f %.1f %.2f %.2f %d %d %.3f%n", mode, r.ops, r.seconds, r.ops / r.seconds,
                percentile(r.latencies, 0.50), percentile(r.latencies, 0.99), load.errors.get(), load.busy.get(), cpu);
        if (load.firstError != null) System.out.println("FIRST-ERROR " + load.firstError);
    }

    /** A sign-in (with consent to offline access) and a code exchange: the first refresh token of a new family. */
    String newFamily() throws Exception {
        String[] v = new String[1];
        String code = signIn("openid offline_access", true, v);
        return refreshToken(exchange(code, v[0]));
    }

    /** N refresh tokens, each of its own family, one per line (a failed sign-in fails the whole run). */
    private void printFamilies(int count) throws Exception {
        String[] tokens = new String[count];
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        Exception[] failure = new Exception[1];
        for (int w = 0; w < Math.min(8, count); w++) {
            threads.add(Thread.ofVirtual().start(() -> {
                for (int i; (i = next.getAndIncrement()) < count; ) {
                    try {
                        tokens[i] = newFamily();
                    } catch (Exception e) {
                        synchronized (failure) { failure[0] = e; }
                        return;
                    }
                }
            }));
        }
        for (Thread t : threads) t.join();
        if (failure[0] != null) throw failure[0];
        StringBuilder out = new StringBuilder();
        for (String t : tokens) out.append(t).append('\n');
        System.out.print(out);
    }

    private static Map<String, String> hidden(String html) {
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = HIDDEN.matcher(html);
        while (m.find()) out.put(m.group(1), m.group(2).replace("&amp;", "&"));
        return out;
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
