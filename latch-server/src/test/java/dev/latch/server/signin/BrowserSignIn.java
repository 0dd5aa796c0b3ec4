package dev.latch.server.signin;

import static org.assertj.core.api.Assertions.fail;

import java.time.Duration;
import java.time.Instant;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * A person at the browser: from an authorization URL already loaded, fills in the login page and
 * approves the consent page as they come, until the browser is at the relying party's redirect URI.
 * Either page may not show (a session exists, consent was remembered, prompt=none).
 */
public final class BrowserSignIn {

    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final String WHICH_PAGE = "return document.getElementById('approve') ? 'consent'"
            + " : document.getElementById('sign-in') ? 'login' : 'other'";

    private BrowserSignIn() {}

    /** What the person was shown on the way: the login page, the consent page, both or neither. */
    public record Shown(boolean login, boolean consent) {}

    public static Shown completeAt(ChromeDriver browser, String redirectUri, String username, String password) {
        Instant deadline = Instant.now().plus(DEADLINE);
        boolean loggedIn = false;
        boolean approved = false;
        while (Instant.now().isBefore(deadline)) {
            if (browser.getCurrentUrl().startsWith(redirectUri)) return new Shown(loggedIn, approved);
            Object page = browser.executeScript(WHICH_PAGE);
            if ("login".equals(page) && !loggedIn) {
                browser.findElement(By.id("username")).sendKeys(username);
                browser.findElement(By.id("password")).sendKeys(password);
                browser.findElement(By.id("sign-in")).click();
                loggedIn = true;
            } else if ("consent".equals(page) && !approved) {
                browser.findElement(By.id("approve")).click();
                approved = true;
            } else {
                pause();
            }
        }
        fail("the browser did not reach " + redirectUri + " within " + DEADLINE + "; it is at " + browser.getCurrentUrl()
                + " showing:\n" + browser.findElement(By.tagName("body")).getText());
        return null;
    }

    private static void pause() {
        try {
            Thread.sleep(50); // polling the page, bounded by the deadline above
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
