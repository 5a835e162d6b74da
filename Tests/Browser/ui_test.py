"""The web UI in a real browser: headless Chromium driven by Selenium, against `countersign serve --demo`.

Run by scripts/browser-test.sh, which starts the server and passes its URL and the deploy bot's token in the
environment. People sign in as they would at work: through the identity provider — here the demo's own, at
/demo-idp — and mint their API tokens themselves. Screenshots of every page go to COUNTERSIGN_UI_SCREENSHOTS.
"""

import http.server
import json
import os
import re
import threading
import unittest
import urllib.parse
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

BASE = os.environ["COUNTERSIGN_UI_URL"]
TOKENS = json.loads(os.environ["COUNTERSIGN_UI_TOKENS"])
SHOTS = os.environ["COUNTERSIGN_UI_SCREENSHOTS"]


def browser(javascript=True, width=1280, height=1800):
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                f"--window-size={width},{height}"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    if not javascript:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    service = Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    return webdriver.Chrome(options=options, service=service)


def find(driver, by, value, timeout=10):
    """The element once the page that has it has loaded (a click that submits a form returns before the next page
    is there)."""
    return WebDriverWait(driver, timeout).until(expected_conditions.presence_of_element_located((by, value)))


def api(path, token, body=None):
    request = urllib.request.Request(BASE + path, headers={"Authorization": f"Bearer {token}"})
    if body is not None:
        request.data = json.dumps(body).encode()
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


class UITest(unittest.TestCase):
    def setUp(self):
        self.driver = browser()
        self.addCleanup(self.driver.quit)

    def sign_in(self, who, driver=None):
        """Through the identity provider: the sign-in page sends the browser to it, the person is picked there, and
        the code it sends back is redeemed for a verified ID token naming them."""
        d = driver or self.driver
        d.get(BASE + "/ui/sign-in")
        d.find_element(By.ID, "provider-sign-in").click()
        find(d, By.CSS_SELECTOR, f"button[name=person][value='{who}']").click()
        self.assertIn(who, find(d, By.CLASS_NAME, "who").text)

    def minted(self, who):
        """An API token `who` mints for themselves while signed in (nobody else can mint it)."""
        d = browser()
        try:
            self.sign_in(who, d)
            d.get(BASE + "/ui/tokens")
            d.find_element(By.ID, "mint").click()
            return find(d, By.ID, "minted-token").text
        finally:
            d.quit()

    def card(self, pr, driver=None):
        d = driver or self.driver
        for card in d.find_elements(By.CSS_SELECTOR, "li.card[data-request]"):
            if f"#{pr}" in card.text:
                return card
        self.fail(f"no inbox card for pull request #{pr}")

    def console_errors(self, driver=None):
        return [e for e in (driver or self.driver).get_log("browser") if e["level"] == "SEVERE"]

    def shot(self, name, driver=None):
        os.makedirs(SHOTS, exist_ok=True)
        (driver or self.driver).save_screenshot(os.path.join(SHOTS, f"{name}.png"))

    def test_approver_approves_a_pending_request_and_sees_it_allowed(self):
        self.sign_in("bob")
        self.assertEqual(self.driver.find_element(By.TAG_NAME, "h1").text, "Approvals")
        card = self.card(4200)  # search to production, authored by alice
        self.assertIn("needs 1 more approval from team payments-owners", card.text)
        self.assertIn("alice (the change's author)", card.text)
        card.find_element(By.NAME, "comment").send_keys("checked the dashboards")
        card.find_element(By.CSS_SELECTOR, "button[value=approve]").click()
        self.assertEqual(find(self.driver, By.ID, "verdict").text, "allowed")
        self.shot("request-approved")
        self.assertIn("Recorded: granted", self.driver.find_element(By.CLASS_NAME, "notice").text)
        self.assertIn("checked the dashboards", self.driver.page_source)
        self.assertEqual(self.console_errors(), [])

    def test_author_sees_why_and_the_server_refuses_a_forced_approval(self):
        self.sign_in("alice")
        card = self.card(4203)  # web to production, authored by alice
        self.assertIn("You can't approve this: separation of duties: you are the change's author", card.text)
        button = card.find_element(By.CSS_SELECTOR, "button[value=approve]")
        self.assertFalse(button.is_enabled())
        request_id = card.get_attribute("data-request")
        # Force it: enable the button and submit, as a hand-crafted POST would.
        self.driver.execute_script("arguments[0].disabled = false;", button)
        button.click()
        find(self.driver, By.ID, "error-message")
        self.assertEqual(self.driver.find_element(By.TAG_NAME, "h1").text, "Not allowed")
        self.assertIn("alice may not review this request: they are the change's author",
                      self.driver.find_element(By.ID, "error-message").text)
        self.shot("forced-approval-refused")
        frank = self.minted("frank")
        status = api(f"/api/v1/deploy-requests/{request_id}", frank)
        self.assertEqual(status["decision"]["verdict"], "pending")
        refused = api("/api/v1/audit/query", frank, {
            "sql": f"SELECT COUNT(*) AS n FROM entries WHERE type = 'approval.refused' AND canonical LIKE '%{request_id}%'"})
        self.assertEqual(refused["rows"][0][0], 1)

    def test_every_page_loads_without_console_errors(self):
        self.sign_in("frank")  # the auditor sees every page, the audit page included
        d = self.driver
        d.get(BASE + "/ui/requests")
        request = d.find_element(By.CSS_SELECTOR, "tbody tr td a").get_attribute("href")
        d.get(BASE + "/ui/canary")
        canary = d.find_element(By.CSS_SELECTOR, "tbody tr td a").get_attribute("href")
        pages = {
            "inbox": "/ui", "requests": "/ui/requests", "request": request, "metrics": "/ui/metrics",
            "metrics-staging": "/ui/metrics?days=30&environment=staging", "canary": "/ui/canary",
            "canary-run": canary, "break-glass": "/ui/break-glass", "ledger": "/ui/ledger",
            "ledger-entry": "/ui/ledger/3", "audit": "/ui/audit",
            "audit-query": "/ui/audit?sql=SELECT+service%2C+COUNT%28%2A%29+AS+n+FROM+deploys+GROUP+BY+service",
            "audit-report": "/ui/audit?report=1&environment=production&from=2026-01-01T00:00:00Z&to=2099-01-01T00:00:00Z",
        }
        for name, path in pages.items():
            with self.subTest(page=name):
                d.get(path if path.startswith("http") else BASE + path)
                self.assertNotEqual(d.find_element(By.TAG_NAME, "h1").text, "Not allowed", name)
                self.assertNotIn("UI unavailable", d.title)
                self.shot(name)
                self.assertEqual(self.console_errors(), [], name)
                unlabeled = d.execute_script("""
                    return [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
                        .filter(e => e.labels.length === 0 && !e.getAttribute('aria-label')).map(e => e.name);""")
                self.assertEqual(unlabeled, [], f"{name}: every field has a label")
        d.get(BASE + "/ui/metrics")
        self.assertEqual(len(d.find_elements(By.CSS_SELECTOR, "svg.chart[role=img] > title")), 4)
        self.assertRegex(d.find_element(By.CLASS_NAME, "tiles").text, r"Deployment frequency\s+(Daily|Weekly|Monthly)")
        d.get(BASE + pages["audit-query"])
        self.assertTrue(d.find_element(By.LINK_TEXT, "Download CSV").get_attribute("href").endswith(".csv?sql=SELECT%20service%2C%20COUNT%28%2A%29%20AS%20n%20FROM%20deploys%20GROUP%20BY%20service"))
        d.get(BASE + pages["ledger-entry"])
        self.assertIn("verified", d.find_element(By.ID, "inclusion").text)

    OVERLAPS = """
        // Pairs of text labels in one chart whose boxes intersect: a chart whose labels collide cannot be read.
        const found = [];
        for (const [n, svg] of [...document.querySelectorAll('svg.chart')].entries()) {
          const boxes = [...svg.querySelectorAll('text')].map(t => [t.textContent, t.getBoundingClientRect()])
            .filter(([, b]) => b.width > 0);
          for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
            const [a, p] = boxes[i], [b, q] = boxes[j];
            if (p.left < q.right - 0.5 && q.left < p.right - 0.5 && p.top < q.bottom - 0.5 && q.top < p.bottom - 0.5)
              found.push(`chart ${n}: '${a}' and '${b}'`);
          }
        }
        return found;"""

    def rule_rows(self, driver=None):
        d = driver or self.driver
        return [(r.find_element(By.TAG_NAME, "th").text, r.get_attribute("class") or "")
                for r in d.find_elements(By.CSS_SELECTOR, "table.rules tbody tr")]

    def test_gate_metrics_single_out_each_rule_and_the_rubber_stamp(self):
        """The demo's history holds a check that never fails, an approval rule that never rejects and an approver who
        approves everything within seconds; the metrics page singles out each, names the approver only to an auditor
        or admin, sorts by any column, and its charts' labels never collide, on a desktop or a phone."""
        self.sign_in("frank")  # an auditor: sees people
        d = self.driver
        d.get(BASE + "/ui/metrics?days=90&environment=")
        rows = dict(self.rule_rows())
        self.assertIn("idle", rows["checks integration idle"], rows)
        self.assertNotIn("idle", rows["approvals payments-owners@schema-migration"], rows)  # it rejects
        signs = {r.find_element(By.TAG_NAME, "th").text: r.find_element(By.CSS_SELECTOR, "td:last-child").text
                 for r in d.find_elements(By.CSS_SELECTOR, "table.signals:not(#approvers) tbody tr")}
        self.assertIn("never rejected", signs["dba@schema-migration"], signs)
        self.assertEqual(signs["payments-owners@schema-migration"], "—", signs)
        approvers = {r.find_element(By.TAG_NAME, "th").text: r.find_element(By.CSS_SELECTOR, "td:last-child").text
                     for r in d.find_elements(By.CSS_SELECTOR, "#approvers tbody tr")}
        self.assertIn("within a minute of ready", approvers["erin"], approvers)
        self.assertEqual([who for who, s in approvers.items() if "within a minute of ready" in s], ["erin"])
        d.find_element(By.ID, "rules").location_once_scrolled_into_view
        self.shot("metrics-rules")
        self.assertEqual(d.execute_script(self.OVERLAPS), [])
        # Sorted by block rate: the largest first, the column marked.
        d.find_element(By.LINK_TEXT, "Block rate").click()
        find(d, By.CSS_SELECTOR, "th[aria-sort] a")
        self.assertEqual(d.find_element(By.CSS_SELECTOR, "th[aria-sort]").text, "Block rate")
        rates = [float(r.find_elements(By.TAG_NAME, "td")[1].text.rstrip(" %") or 0)
                 for r in d.find_elements(By.CSS_SELECTOR, "table.rules tbody tr")]
        self.assertEqual(rates, sorted(rates, reverse=True))
        self.assertIn("days=90", d.current_url)  # the filters survive the sort
        # By tier: only that tier's rules.
        d.get(BASE + "/ui/metrics?days=90&environment=&tier=schema-migration")
        self.assertNotIn("canary slo-gate", dict(self.rule_rows()))
        self.assertIn("approvals dba@schema-migration", " ".join(dict(self.rule_rows())))
        self.assertEqual(self.console_errors(), [])

        # An approver sees the rules and a count, never the people.
        self.sign_in("bob")
        d.get(BASE + "/ui/metrics?days=90&environment=")
        self.assertEqual(d.find_elements(By.ID, "approvers"), [])
        self.assertRegex(d.find_element(By.ID, "approver-count").text, r"^[1-9]\d* of \d+ approver\(s\) show a sign")
        self.assertNotIn("erin", d.find_element(By.TAG_NAME, "main").text)

        phone = browser(width=390, height=844)
        self.addCleanup(phone.quit)
        self.sign_in("frank", phone)
        phone.get(BASE + "/ui/metrics?days=90&environment=")
        self.assertLessEqual(phone.execute_script("return document.documentElement.scrollWidth - window.innerWidth"), 0)
        self.assertEqual(phone.execute_script(self.OVERLAPS), [])
        phone.find_element(By.ID, "rules").location_once_scrolled_into_view
        self.shot("metrics-rules-phone", phone)

    def test_keyboard_and_small_screens(self):
        self.sign_in("bob")
        body = self.driver.find_element(By.TAG_NAME, "body")
        body.send_keys(Keys.TAB)
        self.assertEqual(self.driver.switch_to.active_element.text, "Skip to content")
        small = browser(width=390, height=844)
        self.addCleanup(small.quit)
        self.sign_in("bob", small)
        for path in ("/ui", "/ui/metrics", "/ui/requests"):
            small.get(BASE + path)
            overflow = small.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
            self.assertLessEqual(overflow, 0, f"{path} scrolls sideways on a phone")
        self.shot("inbox-phone", small)

    def test_works_with_javascript_off(self):
        plain = browser(javascript=False)
        self.addCleanup(plain.quit)
        self.sign_in("bob", plain)
        card = self.card(4201, plain)  # web to production, authored by dave
        card.find_element(By.CSS_SELECTOR, "button[value=approve]").click()
        self.assertEqual(find(plain, By.ID, "verdict").text, "allowed")
        plain.get(BASE + "/ui/metrics")
        self.assertGreaterEqual(len(plain.find_elements(By.CSS_SELECTOR, "svg.chart")), 4)
        self.shot("metrics-no-javascript", plain)

    def test_signed_out_pages_redirect_and_bad_tokens_are_refused(self):
        d = self.driver
        d.get(BASE + "/ui/metrics")
        self.assertTrue(d.current_url.startswith(BASE + "/ui/sign-in"))
        d.find_element(By.ID, "token").send_keys("cst_" + "A" * 43)
        d.find_element(By.CSS_SELECTOR, "form[action='/ui/sign-in'] button[type=submit]").click()
        self.assertIn("That token is not valid", find(d, By.CLASS_NAME, "alert").text)
        self.shot("sign-in-refused")
        self.assertEqual([e for e in self.console_errors() if "401" not in e["message"]], [])

    def test_the_demo_identity_provider_signs_in_only_its_own_client(self):
        """The demo's provider lists the policy's people and signs in whoever is picked, which is why it answers its
        one client alone: an authorization request sending the code anywhere else, or without PKCE, is refused."""
        d = self.driver
        d.get(BASE + "/ui/sign-in")
        d.find_element(By.ID, "provider-sign-in").click()
        people = [b.get_attribute("value") for b in find(d, By.CSS_SELECTOR, "ul.people").find_elements(
            By.CSS_SELECTOR, "button[name=person]")]
        self.assertEqual(people, ["alice", "bob", "carol", "dave", "erin", "frank"])
        self.shot("demo-identity-provider")
        query = urllib.parse.parse_qs(urllib.parse.urlparse(d.current_url).query)
        self.assertEqual(query["code_challenge_method"], ["S256"])
        for field, value, why in (("redirect_uri", "https://attacker.example/cb", "redirect_uri is not this client's"),
                                  ("code_challenge_method", "plain", "PKCE"), ("client_id", "other", "client_id")):
            forged = {k: v[0] for k, v in query.items()}
            forged[field] = value
            d.get(BASE + "/demo-idp/authorize?" + urllib.parse.urlencode(forged))
            self.assertIn(why, find(d, By.ID, "error").text)
        # A token the identity provider was not asked for: the server has no such sign-in in this browser.
        d.get(BASE + "/ui/sign-in/callback?code=forged&state=forged")
        find(d, By.TAG_NAME, "h1")
        d.get(BASE + "/ui")
        self.assertTrue(d.current_url.startswith(BASE + "/ui/sign-in"), "no session was started")

    def test_sign_out_ends_the_session(self):
        self.sign_in("bob")
        self.driver.find_element(By.CSS_SELECTOR, "form.signout button").click()
        find(self.driver, By.ID, "token")
        self.driver.get(BASE + "/ui")
        self.assertTrue(self.driver.current_url.startswith(BASE + "/ui/sign-in"))
        self.assertEqual(self.console_errors(), [])

    def test_a_cross_site_sign_in_is_refused(self):
        """Login CSRF from a real page on another origin, and from a page whose Origin is null: the browser posts
        the attacker's token to the sign-in form; the server refuses it and no session starts."""
        attack = f"""<!doctype html><form id="f" method="post" action="{BASE}/ui/sign-in">
            <input name="token" value="{TOKENS['deploy-bot']}"><input name="next" value="/ui"></form>
            <script>document.getElementById("f").submit()</script>"""

        class Attacker(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.end_headers()
                self.wfile.write(attack.encode())

            def log_message(self, *args):
                pass

        server = http.server.HTTPServer(("127.0.0.1", 0), Attacker)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        d = self.driver
        for page in (f"http://127.0.0.1:{server.server_port}/", "data:text/html," + urllib.parse.quote(attack)):
            with self.subTest(page=page[:30]):
                d.get(page)
                message = find(d, By.ID, "error-message").text
                self.assertIn("another site", message)
                d.get(BASE + "/ui")
                self.assertTrue(d.current_url.startswith(BASE + "/ui/sign-in"), "no session was started")
        self.shot("cross-site-sign-in-refused")


if __name__ == "__main__":
    unittest.main(verbosity=2)
