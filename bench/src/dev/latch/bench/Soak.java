package dev.latch.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sustained load for {@code bench/soak.sh} (issue 14): a mix of client-credentials grants (half the
 * requests), refresh-token rotations (a quarter) and introspections of recent access tokens (a quarter),
 * as several applications would send them.
 *
 * <p>First the capacity: 16 workers send the mix back to back for {@code --capacity-seconds} (30) after
 * {@code --warmup} seconds (70: past the 60 s access-token lifetime of bench/soak.sh, so the tables hold
 * their steady-state rows and the janitor is purging), the closed-loop capacity; then open loads of 20 s at
 * rising fractions of it find the highest rate the server keeps up with ({@link #openCapacity}). Then an
 * open load at {@code --load} × that rate: a minute to settle (reported as {@code SETTLE}, not counted), then
 * {@code --seconds} measured: each
 * request starts at its scheduled time whether or not earlier ones have answered, and its latency counts
 * from that time, so a stall shows in the percentiles instead of slowing the load (no coordinated omission).
 * Every {@code --window} seconds the server's resident memory ({@code --pid}) and the row counts of the
 * tables the load fills ({@code --jdbc}, the server's own database URL) are sampled.
 *
 * <p>Refresh families are made by signing in ({@link SignInLoad#newFamily()}); a family older than
 * {@code --family-retire} seconds is no longer used and a new one takes its place, so that families end
 * before their absolute lifetime and the janitor has them to remove, as in a real deployment.
 *
 * <p>Prints {@code CLOSED-CAPACITY ops/s}, {@code STEP …} lines, {@code CAPACITY ops/s}, then per window
 * {@code WINDOW i requests errors p50-ms p99-ms p99.9-ms max-ms rss-MiB table=rows,...,database_MiB=size}, and {@code FIRST-ERROR …}.
 */
public final class Soak {

    private static final Pattern ACCESS = Pattern.compile("\"access_token\"\\s*:\\s*\"([^\"]+)\"");
    private static final String[] TABLES = {"opaque_tokens", "refresh_tokens", "refresh_families", "family_access_tokens"};
    /** Requests in flight beyond which the load counts a request as refused instead of piling up more. */
    private static final int MAX_IN_FLIGHT = 512;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final String base;
    private final String basic;
    private final SignInLoad web;
    private final long retireNanos;
    private final AtomicReferenceArray<String> recent = new AtomicReferenceArray<>(256);
    private final AtomicLong issued = new AtomicLong();
    private final ConcurrentLinkedQueue<Family> families = new ConcurrentLinkedQueue<>();
    private final AtomicInteger replacing = new AtomicInteger();
    private final java.util.concurrent.Semaphore signIns = new java.util.concurrent.Semaphore(4);
    /** Errors by kind: the message with its numbers and token values left out. */
    private final java.util.concurrent.ConcurrentHashMap<String, AtomicLong> errorKinds = new java.util.concurrent.ConcurrentHashMap<>();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong familiesMade = new AtomicLong();
    private volatile String firstError;

    private record Family(String token, long born) {}

    Soak(String base, String clientId, String secret, SignInLoad web, long retireSeconds) {
        this.base = base;
        this.basic = "Basic " + Base64.getEncoder().encodeToString(
                (SignInLoad.enc(clientId) + ":" + SignInLoad.enc(secret)).getBytes(StandardCharsets.UTF_8));
        this.web = web;
        this.retireNanos = retireSeconds * 1_000_000_000L;
    }

    /** The request with sequence number {@code n}: its kind follows from {@code n}, so the mix is exact. */
    void request(long n) throws Exception {
        switch ((int) (n & 3)) {
            case 0, 1 -> clientCredentials();
            case 2 -> refresh();
            default -> introspect();
        }
    }

    private void clientCredentials() throws Exception {
        HttpResponse<String> r = post("/token", basic, "grant_type=client_credentials");
        Matcher m = ACCESS.matcher(r.body());
        if (r.statusCode() != 200 || !m.find()) throw failure("client_credentials", r);
        recent.set((int) (issued.getAndIncrement() & (recent.length() - 1)), m.group(1));
    }

    private void introspect() throws Exception {
        long n = issued.get();
        if (n == 0) {
            clientCredentials();
            return;
        }
        // one of the most recent tokens: alive (their lifetime is far longer than the ring lasts)
        String token = recent.get((int) ((n - 1 - ThreadLocalRandom.current().nextLong(Math.min(n, recent.length() / 2))) & (recent.length() - 1)));
        HttpResponse<String> r = post("/introspect", basic, "token=" + SignInLoad.enc(token));
        if (r.statusCode() != 200 || !r.body().startsWith("{\"active\":true")) throw failure("introspect", r);
    }

    private void refresh() throws Exception {
        Family f;
        while ((f = families.poll()) != null && System.nanoTime() - f.born() > retireNanos) {
            replace();
        }
        if (f == null) throw new IllegalStateException("refresh: no refresh-token family free (all in use or being replaced)");
        String next;
        try {
            next = SignInLoad.refreshToken(web.token("grant_type=refresh_token&refresh_token=" + SignInLoad.enc(f.token())));
        } catch (SignInLoad.Failure busy) {
            if (busy.busy) {
                families.add(f); // 503: refused before the token was touched; it is still this family's current one
            } else {
                replace();
            }
            throw busy;
        } catch (Exception e) {
            replace(); // this family's token is gone (answered or not): another takes its place
            throw e;
        }
        families.add(new Family(next, f.born()));
    }

    /** {@code count} new families, 8 sign-ins at a time; any failure ends the run. */
    void makeFamilies(int count) throws Exception {
        AtomicInteger left = new AtomicInteger(count);
        Exception[] failure = new Exception[1];
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < 8; w++) {
            threads.add(Thread.ofVirtual().start(() -> {
                while (left.getAndDecrement() > 0) {
                    try {
                        // born at spread-out times, so that they retire (and are replaced) a few at a time, not all at once
                        families.add(new Family(web.newFamily(), System.nanoTime() - ThreadLocalRandom.current().nextLong(retireNanos)));
                    } catch (Exception e) {
                        synchronized (failure) { failure[0] = e; }
                        return;
                    }
                }
            }));
        }
        for (Thread t : threads) t.join();
        if (failure[0] != null) throw failure[0];
    }

    /** A new family in the background, in place of one retired or lost: 4 sign-ins at a time, each tried until it works. */
    private void replace() {
        replacing.incrementAndGet();
        Thread.ofVirtual().start(() -> {
            try {
                while (true) {
                    signIns.acquire();
                    try {
                        families.add(new Family(web.newFamily(), System.nanoTime()));
                        familiesMade.incrementAndGet();
                        return;
                    } catch (Exception e) {
                        error("making a refresh-token family: " + e.getMessage());
                    } finally {
                        signIns.release();
                    }
                    Thread.sleep(1000);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                replacing.decrementAndGet();
            }
        });
    }

    private HttpResponse<String> post(String path, String authorization, String form) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", authorization)
                .header("Content-Type", "application/x-www-form-urlencoded").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Exception failure(String what, HttpResponse<String> r) {
        String body = r.body().replaceAll("\\s+", " ");
        return new IllegalStateException(what + ": HTTP " + r.statusCode() + " " + body.substring(0, Math.min(300, body.length())));
    }

    private void error(String message) {
        errors.incrementAndGet();
        if (firstError == null) firstError = message;
        String kind = String.valueOf(message).replaceAll("\\d+", "N");
        errorKinds.computeIfAbsent(kind.substring(0, Math.min(160, kind.length())), k -> new AtomicLong()).incrementAndGet();
    }

    /** Forgets the errors of a phase that is not part of the next one's verdict. */
    void resetErrors() {
        errors.set(0);
        errorKinds.clear();
        firstError = null;
    }

    /** Closed loop: {@code workers} back to back for {@code seconds}; completed requests per second. */
    double capacity(int workers, int seconds) throws InterruptedException {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        AtomicLong sequence = new AtomicLong();
        AtomicLong done = new AtomicLong();
        long t0 = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            threads.add(Thread.ofVirtual().start(() -> {
                while (System.nanoTime() < end) {
                    try {
                        request(sequence.getAndIncrement());
                        done.incrementAndGet();
                    } catch (Exception e) {
                        error(e.getMessage());
                    }
                }
            }));
        }
        for (Thread t : threads) t.join();
        return done.get() / ((System.nanoTime() - t0) / 1e9);
    }

    /**
     * The open-load capacity: open loads of 20 s at rising fractions (0.2, 0.3, … 1.0) of the closed-loop
     * capacity {@code closed}; the highest rate whose step had no error and a p99 within 4 × the first step's
     * (at least 25 ms) — past it the queue grows for as long as the load lasts. A closed loop's 16 workers wait
     * for each other, which an open load does not, so on a 2-core machine an open load at 80 % of the
     * closed-loop figure was already past saturation (bench/README.md, "Soak"). 0 when even the first step
     * fell behind.
     */
    double openCapacity(double closed) throws InterruptedException {
        double sustained = 0;
        double firstP99 = 0;
        for (int step = 2; step <= 10; step++) {
            double rate = closed * step / 10.0;
            Window w = open(rate, 20, 20, () -> "").get(0);
            double p99 = w.percentile(0.99);
            if (step == 2) firstP99 = Math.max(p99, 25 / 4.0);
            boolean kept = w.errors == 0 && p99 <= 4 * firstP99;
            System.out.printf("STEP %.0f p99 %.2f ms errors %d %s%n", rate, p99, w.errors, kept ? "kept up" : "fell behind");
            System.out.flush();
            if (!kept) {
                Thread.sleep(10_000); // let what piled up drain before the soak
                break;
            }
            sustained = rate;
        }
        return sustained;
    }

    /** What one window of the open load saw. */
    private static final class Window {
        private long[] latencies = new long[1 << 16];
        private int count;
        long errors;
        String sample = "";

        synchronized void record(long nanos, boolean ok) {
            if (count == latencies.length) latencies = Arrays.copyOf(latencies, count * 2);
            latencies[count++] = nanos;
            if (!ok) errors++;
        }

        synchronized String line(int index) {
            long[] sorted = Arrays.copyOf(latencies, count);
            Arrays.sort(sorted);
            return String.format("WINDOW %d %d %d %.2f %.2f %.2f %.2f %s", index, count, errors, ms(sorted, 0.50), ms(sorted, 0.99),
                    ms(sorted, 0.999), count == 0 ? Double.NaN : sorted[count - 1] / 1e6, sample);
        }

        synchronized double percentile(double p) {
            long[] sorted = Arrays.copyOf(latencies, count);
            Arrays.sort(sorted);
            return ms(sorted, p);
        }

        private static double ms(long[] sorted, double p) {
            if (sorted.length == 0) return Double.NaN;
            return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)] / 1e6;
        }
    }

    /** Open load at {@code rate} requests/s for {@code seconds}, in windows of {@code windowSeconds}. */
    List<Window> open(double rate, int seconds, int windowSeconds, Supplier<String> sample) throws InterruptedException {
        int count = (seconds + windowSeconds - 1) / windowSeconds;
        List<Window> windows = new ArrayList<>();
        for (int i = 0; i < count; i++) windows.add(new Window());
        long windowNanos = windowSeconds * 1_000_000_000L;
        double interval = 1e9 / rate;
        long start = System.nanoTime();
        long end = start + seconds * 1_000_000_000L;
        AtomicInteger inFlight = new AtomicInteger();
        int sampled = 0;
        for (long n = 0; ; n++) {
            long intended = start + (long) (n * interval);
            if (intended >= end) break;
            long wait;
            while ((wait = intended - System.nanoTime()) > 0) LockSupport.parkNanos(wait);
            int index = (int) ((intended - start) / windowNanos);
            while (sampled < index) { // a window ended: sample memory and rows for it
                windows.get(sampled).sample = sample.get();
                System.err.println(windows.get(sampled).line(sampled + 1) + " (so far)");
                sampled++;
            }
            Window window = windows.get(index);
            if (inFlight.get() >= MAX_IN_FLIGHT) {
                window.record(System.nanoTime() - intended, false);
                error("more than " + MAX_IN_FLIGHT + " requests in flight: the server is not keeping up");
                continue;
            }
            inFlight.incrementAndGet();
            long sequence = n;
            Thread.ofVirtual().start(() -> {
                boolean ok = true;
                try {
                    request(sequence);
                } catch (Exception e) {
                    ok = false;
                    error(e.getMessage());
                } finally {
                    window.record(System.nanoTime() - intended, ok);
                    inFlight.decrementAndGet();
                }
            });
        }
        long drain = System.nanoTime() + 30_000_000_000L;
        while (inFlight.get() > 0 && System.nanoTime() < drain) Thread.sleep(10);
        for (; sampled < count; sampled++) windows.get(sampled).sample = sample.get();
        return windows;
    }

    /** Resident memory of {@code pid} in MiB and the row counts of the load's tables, as one field each. */
    static String memoryAndRows(long pid, String jdbc) {
        StringBuilder out = new StringBuilder();
        try {
            String status = Files.readString(Path.of("/proc/" + pid + "/status"));
            Matcher m = Pattern.compile("VmRSS:\\s+(\\d+) kB").matcher(status);
            out.append(m.find() ? String.format("%.0f", Long.parseLong(m.group(1)) / 1024.0) : "?");
        } catch (Exception e) {
            out.append('?');
        }
        out.append(' ');
        if (jdbc == null) return out.append('-').toString();
        try (Connection c = DriverManager.getConnection(jdbc); Statement s = c.createStatement()) {
            for (int i = 0; i < TABLES.length; i++) {
                try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + TABLES[i])) {
                    rs.next();
                    out.append(i == 0 ? "" : ",").append(TABLES[i]).append('=').append(rs.getLong(1));
                }
            }
            out.append(",database_MiB=").append(databaseBytes(jdbc, s) >> 20);
        } catch (Exception e) {
            out.append("rows-unreadable:").append(e.getMessage().replaceAll("\\s+", "_"));
        }
        return out.toString();
    }

    /** The size of the database on disk: H2's file, or PostgreSQL's {@code pg_database_size}. */
    private static long databaseBytes(String jdbc, Statement s) throws Exception {
        if (jdbc.startsWith("jdbc:h2:file:")) {
            return Files.size(Path.of(jdbc.substring("jdbc:h2:file:".length()).split(";", 2)[0] + ".mv.db"));
        }
        try (ResultSet rs = s.executeQuery("SELECT pg_database_size(current_database())")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new LinkedHashMap<>(Map.of("--families", "256", "--family-retire", "120", "--capacity-seconds", "30",
                "--warmup", "70", "--seconds", "600", "--load", "0.8", "--window", "60", "--pid", "0"));
        for (int i = 0; i + 1 < args.length; i += 2) o.put(args[i], args[i + 1]);
        String jdbc = o.get("--jdbc");
        if (jdbc != null) Class.forName(jdbc.startsWith("jdbc:h2:") ? "org.h2.Driver" : "org.postgresql.Driver");
        SignInLoad web = new SignInLoad(o.get("--base"), o.get("--web-client"), o.get("--secret"), o.get("--user"), o.get("--password"),
                o.get("--redirect-uri"));
        Soak soak = new Soak(o.get("--base"), o.get("--client-id"), o.get("--secret"), web, Long.parseLong(o.get("--family-retire")));
        int familyCount = Integer.parseInt(o.get("--families"));
        soak.makeFamilies(familyCount);

        soak.capacity(16, Integer.parseInt(o.get("--warmup")));
        soak.resetErrors();
        double closed = soak.capacity(16, Integer.parseInt(o.get("--capacity-seconds")));
        System.out.printf("CLOSED-CAPACITY %.0f errors %d%n", closed, soak.errors.get());
        System.out.flush();
        soak.resetErrors();
        // 30 s idle first: the closed loop's burst of writes leaves H2's file gigabytes larger, and its compaction
        // under the first steps would be counted against them
        Thread.sleep(30_000);
        double capacity = soak.openCapacity(closed);
        System.out.printf("CAPACITY %.0f errors %d%n", capacity, soak.errors.get());
        System.out.flush();
        soak.resetErrors();

        if (capacity == 0) {
            System.out.println("FIRST-ERROR even the first open-load step fell behind; no rate to soak at");
            System.exit(1);
        }
        long pid = Long.parseLong(o.get("--pid"));
        double rate = capacity * Double.parseDouble(o.get("--load"));
        System.out.printf("RATE %.0f%n", rate);
        // a minute at the soak's rate before the measured windows: the capacity steps past saturation leave a
        // backlog (and on H2 a file grown by gigabytes that its compaction shrinks again) that is not the steady state
        Window settle = soak.open(rate, 60, 60, () -> "").get(0);
        System.out.printf("SETTLE 60 s p99 %.2f ms errors %d%n", settle.percentile(0.99), settle.errors);
        soak.resetErrors();
        System.out.printf("START %s%n", memoryAndRows(pid, jdbc));
        System.out.flush();
        List<Window> windows = soak.open(rate, Integer.parseInt(o.get("--seconds")), Integer.parseInt(o.get("--window")),
                () -> memoryAndRows(pid, jdbc));
        for (int i = 0; i < windows.size(); i++) System.out.println(windows.get(i).line(i + 1));
        System.out.printf("FAMILIES made-during-load %d errors %d%n", soak.familiesMade.get(), soak.errors.get());
        if (soak.firstError != null) System.out.println("FIRST-ERROR " + soak.firstError);
        soak.errorKinds.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue().get(), a.getValue().get())).limit(5)
                .forEach(e -> System.out.println("ERROR-KIND " + e.getValue().get() + " " + e.getKey()));
    }
}
