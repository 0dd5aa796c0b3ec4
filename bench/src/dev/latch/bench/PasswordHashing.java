package dev.latch.bench;

import dev.latch.server.user.Argon2idHasher;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * What a password sign-in costs: Argon2id verifications per second with the server's own
 * {@link Argon2idHasher} (BouncyCastle) on N threads, against a hash made with the same parameters
 * (a successful sign-in, or the dummy verification of an unknown user: the same work).
 *
 * <p>Usage: {@code PasswordHashing [--threads 2] [--warmup 5] [--seconds 20] [--rounds 3]
 * [--memory-kib 19456] [--iterations 2] [--parallelism 1]}. Prints one line per round:
 * {@code ROUND <n> <verifications/s> <thread CPU ms each> <process CPU ms each> <GC ms/s> <% of the machine others used>},
 * then a summary with the CPU-normalised rate (cores ÷ process CPU per verification: what the machine
 * would do with nothing else running).
 */
public final class PasswordHashing {

    public static void main(String[] args) throws Exception {
        int threads = 2;
        int warmup = 5;
        int seconds = 20;
        int rounds = 3;
        int memory = Argon2idHasher.DEFAULT_MEMORY_KIB;
        int iterations = Argon2idHasher.DEFAULT_ITERATIONS;
        int parallelism = Argon2idHasher.DEFAULT_PARALLELISM;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--memory-kib" -> memory = Integer.parseInt(args[++i]);
                case "--iterations" -> iterations = Integer.parseInt(args[++i]);
                case "--parallelism" -> parallelism = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Argon2idHasher hasher = new Argon2idHasher(memory, iterations, parallelism);
        char[] password = "correct horse battery staple".toCharArray();
        String hash = hasher.hash(password);
        if (!hasher.verify(password, hash)) {
            throw new IllegalStateException("the hash does not verify");
        }
        int cores = Runtime.getRuntime().availableProcessors();
        System.out.printf("# Argon2id m=%d KiB t=%d p=%d, %d threads, %d cores, %s %s, GC %s, max heap %d MiB%n", memory, iterations,
                parallelism, threads, cores, System.getProperty("java.vm.name"), System.getProperty("java.version"), gcNames(),
                Runtime.getRuntime().maxMemory() >> 20);
        run(hasher, password, hash, threads, warmup);
        double best = 0;
        double cpuSum = 0;
        double rateSum = 0;
        for (int round = 1; round <= rounds; round++) {
            long[] machine0 = machineTicks();
            long process0 = processCpuNanos();
            long gc0 = gcMillis();
            long t0 = System.nanoTime();
            Result r = run(hasher, password, hash, threads, seconds);
            double wall = (System.nanoTime() - t0) / 1e9;
            long[] machine1 = machineTicks();
            double processMsEach = (processCpuNanos() - process0) / 1e6 / r.count();
            double own = (processCpuNanos() - process0) / 1e9 / (wall * cores);
            double busy = machine0 == null || machine1 == null ? Double.NaN
                    : (machine1[0] - machine0[0]) / (double) (machine1[1] - machine0[1]);
            System.out.printf("ROUND %d %.1f/s thread-cpu %.1f ms process-cpu %.1f ms gc %.0f ms/s others %.0f%%%n", round,
                    r.perSecond(), r.cpuMillisEach(), processMsEach, (gcMillis() - gc0) / wall, 100 * Math.max(0, busy - own));
            best = Math.max(best, r.perSecond());
            cpuSum += processMsEach;
            rateSum += r.perSecond();
        }
        double cpuEach = cpuSum / rounds;
        System.out.printf("SUMMARY mean %.1f/s best %.1f/s; process CPU %.1f ms per verification -> %.1f/s on %d cores with nothing else running%n",
                rateSum / rounds, best, cpuEach, cores * 1000 / cpuEach, cores);
    }

    record Result(long count, double perSecond, double cpuMillisEach) {}

    private static Result run(Argon2idHasher hasher, char[] password, String hash, int threads, int seconds) throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        LongAdder count = new LongAdder();
        LongAdder cpuNanos = new LongAdder();
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            workers.add(new Thread(() -> {
                long cpu0 = mx.getCurrentThreadCpuTime();
                while (!stop.get()) {
                    if (!hasher.verify(password, hash)) {
                        throw new IllegalStateException("verification failed");
                    }
                    count.increment();
                }
                cpuNanos.add(mx.getCurrentThreadCpuTime() - cpu0);
            }, "verify-" + t));
        }
        long t0 = System.nanoTime();
        workers.forEach(Thread::start);
        Thread.sleep(seconds * 1000L);
        stop.set(true);
        for (Thread w : workers) w.join();
        double elapsed = (System.nanoTime() - t0) / 1e9;
        long n = Math.max(1, count.sum());
        return new Result(n, n / elapsed, cpuNanos.sum() / 1e6 / n);
    }

    private static String gcNames() {
        return String.join("+", ManagementFactory.getGarbageCollectorMXBeans().stream().map(GarbageCollectorMXBean::getName).toList())
                .replace(' ', '_');
    }

    private static long gcMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(GarbageCollectorMXBean::getCollectionTime).sum();
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** Busy and total clock ticks of the whole machine ({@code /proc/stat}), or null off Linux. */
    private static long[] machineTicks() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = 0;
            long total = 0;
            for (int i = 1; i < Math.min(f.length, 9); i++) {
                long v = Long.parseLong(f[i]);
                total += v;
                if (i != 4 && i != 5) busy += v;
            }
            return new long[] {busy, total};
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }
}
