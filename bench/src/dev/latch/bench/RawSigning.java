package dev.latch.bench;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import dev.latch.core.crypto.CryptoProviders;
import dev.latch.server.LatchInstance;
import dev.latch.server.config.ConfigLoader;
import dev.latch.server.config.ServerConfig;
import dev.latch.server.keys.KeyRing;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * The ceiling the token endpoint is measured against: how many signatures per second the server's own
 * active key, with the same Nimbus signer and the same crypto provider the server uses, makes on this
 * machine with N threads. Nothing else (no JSON, no HTTP) is in the loop.
 *
 * <p>Usage: {@code RawSigning --data DIR --config FILE --crypto native|jdk --threads 2 --warmup 3 --seconds 10 RS256 ES256}.
 * It opens the instance's data directory (creating the keys if needed), so run it while no server
 * holds that directory. Prints one line per algorithm:
 * {@code RAW <alg> <signs/s> <CPU µs per signature> <% of the machine this process used> <% other processes used> <provider>}.
 */
public final class RawSigning {

    public static void main(String[] args) throws Exception {
        Path data = null;
        Path config = null;
        String crypto = "auto";
        int threads = 2;
        int warmup = 3;
        int seconds = 10;
        List<JWSAlgorithm> algs = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--data" -> data = Path.of(args[++i]);
                case "--config" -> config = Path.of(args[++i]);
                case "--crypto" -> crypto = args[++i];
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                default -> algs.add(JWSAlgorithm.parse(args[i]));
            }
        }
        CryptoProviders.Selection provider = CryptoProviders.select(CryptoProviders.Mode.parse(crypto));
        ServerConfig cfg = ConfigLoader.system().load(config, Map.of("data", data.toString(), "crypto", crypto));
        try (LatchInstance instance = LatchInstance.open(cfg, Clock.systemUTC())) {
            for (JWSAlgorithm alg : algs) {
                KeyRing.ActiveKey key = instance.keyRing().active(alg);
                JWSHeader header = new JWSHeader.Builder(alg).type(new JOSEObjectType("at+jwt")).keyID(key.key().kid()).build();
                byte[] input = signingInput(header);
                run(key.signer(), header, input, threads, warmup);
                long[] machine0 = machineTicks();
                long process0 = processCpuNanos();
                long t0 = System.nanoTime();
                Result r = run(key.signer(), header, input, threads, seconds);
                double wall = (System.nanoTime() - t0) / 1e9;
                long[] machine1 = machineTicks();
                double cores = Runtime.getRuntime().availableProcessors();
                double own = (processCpuNanos() - process0) / 1e9 / (wall * cores);
                double busy = machine0 == null || machine1 == null ? Double.NaN
                        : (machine1[0] - machine0[0]) / (double) (machine1[1] - machine0[1]);
                System.out.printf("RAW %s %.0f %.1f %.0f %.0f %s%n", alg, r.perSecond(), r.cpuMicrosEach(),
                        100 * own, 100 * Math.max(0, busy - own), provider.provider().replace(' ', '_'));
                System.out.flush();
            }
        }
    }

    /** Busy and total clock ticks of the whole machine ({@code /proc/stat}), or null off Linux. */
    private static long[] machineTicks() {
        try {
            String[] f = java.nio.file.Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = 0;
            long total = 0;
            for (int i = 1; i < Math.min(f.length, 9); i++) { // user nice system idle iowait irq softirq steal
                long v = Long.parseLong(f[i]);
                total += v;
                if (i != 4 && i != 5) busy += v;
            }
            return new long[] {busy, total};
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** A signing input of the size of a real access token (header.payload, ~330 bytes). */
    private static byte[] signingInput(JWSHeader header) {
        String payload = "{\"iss\":\"http://localhost:8080\",\"sub\":\"bench-client\",\"aud\":\"http://localhost:8080\","
                + "\"client_id\":\"bench-client\",\"jti\":\"q3Gk0JcS0rR3cP7m2mXyZw\",\"iat\":1764300000,\"exp\":1764303600}";
        String b64 = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(payload.getBytes(StandardCharsets.UTF_8));
        return (header.toBase64URL() + "." + b64).getBytes(StandardCharsets.US_ASCII);
    }

    /** Signatures per second over all threads, and CPU time each signature took (independent of machine load). */
    record Result(double perSecond, double cpuMicrosEach) {}

    /** Signs on {@code threads} threads for {@code seconds}. */
    private static Result run(JWSSigner signer, JWSHeader header, byte[] input, int threads, int seconds) throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        LongAdder count = new LongAdder();
        LongAdder cpuNanos = new LongAdder();
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread w = new Thread(() -> {
                long cpu0 = mx.getCurrentThreadCpuTime();
                try {
                    while (!stop.get()) {
                        signer.sign(header, input);
                        count.increment();
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                cpuNanos.add(mx.getCurrentThreadCpuTime() - cpu0);
            }, "sign-" + t);
            workers.add(w);
        }
        long t0 = System.nanoTime();
        workers.forEach(Thread::start);
        Thread.sleep(seconds * 1000L);
        stop.set(true);
        for (Thread w : workers) w.join();
        double elapsed = (System.nanoTime() - t0) / 1e9;
        long n = count.sum();
        return new Result(n / elapsed, cpuNanos.sum() / 1e3 / Math.max(1, n));
    }
}
