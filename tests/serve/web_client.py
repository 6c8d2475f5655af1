#!/usr/bin/env python3
"""The reference web client (data/web/) in headless Chromium, against a
running `valechat serve` (issue 15, part 2): Debian's chromium driven by
its chromium-driver through selenium.

1. the page loads without the token, with its Content Security Policy;
2. a wrong token: the page says it could not connect;
3. the right token: the models of the fake provider are offered;
4. a message: the reply streams into the page, with its cost and tokens;
   the new conversation is listed;
5. (with TOOL_REPLY) a tool call asked in the page, allowed, its result
   and the reply shown;
6. the browser's console has no error.

Usage: web_client.py BASE_URL TOKEN MODEL_ID EXPECTED_REPLY [TOOL_REPLY [SCREENSHOT]]

With TOOL_REPLY, a second message gets a tool call of the Time MCP server
(get_current_time), allowed in the page; its result and then TOOL_REPLY
must appear. SCREENSHOT: a PNG of the page at the end.
Exit status 0 when every check passes; prints what it saw.
"""

import sys
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as visible
from selenium.webdriver.support.ui import Select, WebDriverWait

TIMEOUT = 30


def check(condition, what):
    if not condition:
        raise SystemExit(f"FAIL: {what}")


def main():
    base, token, model, expected = sys.argv[1:5]
    tool_reply = sys.argv[5] if len(sys.argv) > 5 else None
    screenshot = sys.argv[6] if len(sys.argv) > 6 else None
    with urllib.request.urlopen(base + "/", timeout=10) as page:
        csp = page.headers.get("Content-Security-Policy", "")
        check(page.status == 200 and "script-src 'self'" in csp, f"the page and its CSP ({page.status}, {csp!r})")

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1100,800"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    wait = WebDriverWait(driver, TIMEOUT)
    try:
        driver.get(base + "/")
        check(driver.title == "ValeChat", f"the page's title is {driver.title!r}")

        # 2. A wrong token.
        field = driver.find_element(By.ID, "token")
        field.send_keys("vc-wrong")
        driver.find_element(By.ID, "connect-button").click()
        error = wait.until(visible.visibility_of_element_located((By.ID, "connect-error")))
        print(f"wrong token: {error.text!r}")
        check("Could not connect" in error.text, "a wrong token is refused")

        # 3. The right one.
        field.clear()
        field.send_keys(token)
        driver.find_element(By.ID, "connect-button").click()
        wait.until(visible.visibility_of_element_located((By.ID, "chat")))
        check(not driver.find_element(By.ID, "connect").is_displayed(), "the token form is gone once connected")
        wait.until(lambda d: model in [o.get_attribute("value") for o in Select(d.find_element(By.ID, "model")).options])
        Select(driver.find_element(By.ID, "model")).select_by_value(model)
        print(f"connected; {len(Select(driver.find_element(By.ID, 'model')).options)} models offered")

        # 4. A message and its streamed reply.
        started = time.monotonic()
        box = driver.find_element(By.ID, "message")
        box.send_keys("Hello from Chromium")
        box.send_keys(Keys.ENTER)
        reply = wait.until(lambda d: next((e for e in d.find_elements(By.CSS_SELECTOR, ".message.assistant .text") if e.text), None))
        wait.until(lambda d: d.find_element(By.CSS_SELECTOR, ".message.assistant .text").text == expected)
        meta = wait.until(lambda d: next((e for e in d.find_elements(By.CSS_SELECTOR, ".message.assistant .meta") if "$" in e.text), None))
        elapsed = time.monotonic() - started
        print(f"reply {reply.text!r} with {meta.text!r} in {elapsed * 1000:.0f} ms")
        check("tokens" in meta.text, "the reply shows its tokens")
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#conversations li button"))
        wait.until(lambda d: d.find_element(By.ID, "send").is_displayed())

        # 4b. A tool call: the page asks, Allow runs it, the reply follows.
        if tool_reply:
            box.send_keys("What time is it in Paris?")
            box.send_keys(Keys.ENTER)
            allow = wait.until(lambda d: next((b for b in d.find_elements(By.CSS_SELECTOR, ".tool-call button.suggested") if b.is_displayed()), None))
            question = driver.find_element(By.CSS_SELECTOR, ".tool-call strong").text
            print(f"tool call asked: {question!r}")
            check("get_current_time" in question, "the page names the tool")
            allow.click()
            result = wait.until(lambda d: next((e for e in d.find_elements(By.CSS_SELECTOR, ".tool-call pre") if "Europe/Paris" in e.text and "datetime" in e.text), None))
            print(f"tool result shown: {result.text[:80]!r}…")
            wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".message.assistant .text")[-1].text == tool_reply)
            wait.until(lambda d: d.find_element(By.ID, "send").is_displayed())
            if screenshot:
                driver.save_screenshot(screenshot)
        # 5. No error in the console.
        errors = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE" and "vc-wrong" not in e.get("message", "") and "/v1/ws" not in e.get("message", "")]
        check(not errors, f"the console has errors: {errors}")
    finally:
        driver.quit()
    print("web client: ok")


if __name__ == "__main__":
    main()
