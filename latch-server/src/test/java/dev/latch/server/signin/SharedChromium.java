package dev.latch.server.signin;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import dev.latch.server.RealPart;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The one headless Chromium every browser test shares (Debian's chromium and chromium-driver),
 * started on first use and quit when the test JVM exits.
 */
public final class SharedChromium {

    static final Path BINARY = Path.of("/usr/bin/chromium");
    static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    private static ChromeDriver driver;

    private SharedChromium() {}

    public static boolean available() {
        return Files.isExecutable(BINARY) && Files.isExecutable(DRIVER);
    }

    /** Skips the calling test without Debian's chromium and chromedriver, or fails it on CI ({@link RealPart}). */
    public static void require() {
        RealPart.require(Files.isExecutable(BINARY), BINARY + " is missing (Debian: apt-get install chromium)");
        RealPart.require(Files.isExecutable(DRIVER), DRIVER + " is missing (Debian: apt-get install chromium-driver)");
    }

    public static synchronized ChromeDriver driver() {
        if (driver == null) {
            Path profile;
            try {
                profile = Files.createTempDirectory("latch-chromium");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            ChromeOptions options = new ChromeOptions().setBinary(BINARY.toFile());
            options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run",
                    "--user-data-dir=" + profile);
            ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).usingAnyFreePort().build();
            driver = new ChromeDriver(service, options);
            driver.manage().timeouts().implicitlyWait(Duration.ofSeconds(10));
            driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
            ChromeDriver started = driver;
            Runtime.getRuntime().addShutdownHook(new Thread(started::quit));
        }
        return driver;
    }

    /**
     * Clicks a button that sends a form and waits until the next page has replaced this one (a click does
     * not wait for a form post). The old page's button going stale is the sign; Chromium reports that
     * either as a stale element or as a node that "does not belong to the document".
     */
    public static void submit(ChromeDriver browser, org.openqa.selenium.By button) {
        org.openqa.selenium.WebElement element = browser.findElement(button);
        element.click();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                element.isEnabled();
            } catch (org.openqa.selenium.StaleElementReferenceException gone) {
                return;
            } catch (org.openqa.selenium.WebDriverException e) {
                if (e.getMessage() != null && e.getMessage().contains("does not belong to the document")) return;
                throw e;
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("the page did not change within 20 s after clicking " + button);
    }
}
