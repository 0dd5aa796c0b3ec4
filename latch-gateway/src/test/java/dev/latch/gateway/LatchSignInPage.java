package dev.latch.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latch.server.signin.SharedChromium;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;

/** Latch's own sign-in page in Chromium, as the gateway's sso tests meet it when Latch is the provider. */
public final class LatchSignInPage {

    private LatchSignInPage() {}

    /** Signs in on Latch's page at {@code issuer} (the browser must be on it) and approves the app the first time. */
    public static void signIn(ChromeDriver browser, String issuer, String username, String password) {
        assertThat(browser.getCurrentUrl()).as("Latch's sign-in page").startsWith(issuer);
        browser.findElement(By.id("username")).sendKeys(username);
        browser.findElement(By.id("password")).sendKeys(password);
        SharedChromium.submit(browser, By.id("sign-in"));
        if (browser.getCurrentUrl().startsWith(issuer + "/")) {
            SharedChromium.submit(browser, By.id("approve"));
        }
    }
}
