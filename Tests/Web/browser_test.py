"""The booth and the public pages in real headless Chromium (docs/web.md, "Tests").

A real server (`dauys loadtest-setup` + `dauys serve`) with test voters; Selenium drives
Debian's chromium through chromium-driver. Every flow ends with the server's answer checked;
every page and booth screen is scanned with axe-core (no serious or critical violation, with
the 7:1 contrast rule on); screenshots of each step go to $DAUYS_BROWSER_ARTEFACTS. The last
test closes voting, tallies, decrypts and publishes with the CLI, and requires that
`dauys verify` passes and that the e-vote totals are exactly what the browser voters chose.

    python3 -m unittest Tests/Web/browser_test.py      (scripts/test runs it)
"""

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.request
from importlib.util import find_spec

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DAUYS = os.environ.get("DAUYS_BIN", os.path.join(ROOT, ".build", "debug", "dauys"))
ARTEFACTS = os.environ.get("DAUYS_BROWSER_ARTEFACTS", os.path.join(ROOT, ".build", "browser-artefacts"))
VECTORS = os.path.join(ROOT, "Tests", "DauysCryptoTests", "Vectors")
# axe-core 4.x as the axe-playwright-python wheel ships it (installed --no-deps: only the script).
AXE = os.path.join(find_spec("axe_playwright_python").submodule_search_locations[0], "axe.min.js")

# The booth's words the tests look for, per language (Sources/DauysServer/Web/js/i18n.mjs).
WORDS = {
    "kk": {"receipt": "Дауысыңыз қабылданды", "yes": "Иә", "no": "Жоқ", "signIn": "Кіру"},
    "ru": {"receipt": "Ваш голос принят", "yes": "Да", "no": "Нет", "signIn": "Вход"},
    "en": {"receipt": "Your vote was received", "yes": "Yes", "no": "No", "signIn": "Sign in"},
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Booth(unittest.TestCase):
    """One server and one browser for all tests; each test uses its own voters."""

    @classmethod
    def setUpClass(cls):
        os.makedirs(ARTEFACTS, exist_ok=True)
        cls.data = tempfile.mkdtemp(prefix="dauys-browser-")
        cls.run_dauys("loadtest-setup", "--data", cls.data, "--voters", "40")
        with open(os.path.join(cls.data, "test-voters.jsonl")) as f:
            cls.voters = [json.loads(line) for line in f if line.strip()]
        cls.next_voter = 0
        cls.expected = {}  # voter index → "yes" / "no": the last ballot cast in the browser
        cls.port = free_port()
        cls.url = f"http://127.0.0.1:{cls.port}"
        cls.start_server()
        opts = webdriver.ChromeOptions()
        opts.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
        for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900",
                  "--disable-gpu", "--lang=kk"):
            opts.add_argument(a)
        opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        cls.driver = webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")),
                                      options=opts)
        cls.driver.set_script_timeout(60)
        cls.scans = {}

    @classmethod
    def tearDownClass(cls):
        cls.driver.quit()
        cls.stop_server()
        with open(os.path.join(ARTEFACTS, "axe.json"), "w") as f:
            json.dump(cls.scans, f, indent=1)
        shutil.rmtree(cls.data, ignore_errors=True)

    @classmethod
    def run_dauys(cls, *args, env=None):
        r = subprocess.run([DAUYS, *args], capture_output=True, text=True, env=env or os.environ.copy())
        if r.returncode != 0:
            raise AssertionError(f"dauys {' '.join(args)} failed ({r.returncode}): {r.stderr[-2000:]}")
        return r.stdout

    @classmethod
    def start_server(cls):
        env = os.environ.copy()
        with open(os.path.join(cls.data, "registry.key")) as f:
            env["DAUYS_REGISTRY_KEY"] = f.read().strip()
        # Short sessions, so that the expiry warning shows within a test (2 minutes ahead).
        env["DAUYS_SESSION_LIFETIME"] = "128"
        cls.server = subprocess.Popen([DAUYS, "serve", "--data", cls.data, "--port", str(cls.port),
                                       "--log-level", "warning"], env=env, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                urllib.request.urlopen(cls.url + "/api/v1/health", timeout=1)
                return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("the server did not start")

    @classmethod
    def stop_server(cls):
        if cls.server.poll() is None:
            cls.server.terminate()
            cls.server.wait(timeout=30)

    # --- helpers ------------------------------------------------------------------------------

    def voter(self):
        i = Booth.next_voter
        Booth.next_voter += 1
        return i, self.voters[i]

    def wait(self, cond, timeout=30):
        return WebDriverWait(self.driver, timeout).until(cond)

    def visible(self, element_id, timeout=30):
        return self.wait(EC.visibility_of_element_located((By.ID, element_id)), timeout)

    def shot(self, name):
        self.driver.save_screenshot(os.path.join(ARTEFACTS, f"{name}.png"))

    def axe(self, name):
        """axe-core on the page as it is now: no serious or critical violation (7:1 contrast on)."""
        with open(AXE) as f:
            self.driver.execute_script(f.read())
        r = self.driver.execute_async_script(
            "const done = arguments[0];"
            "axe.run(document, {rules: {'color-contrast-enhanced': {enabled: true}}})"
            ".then(done, e => done({violations: [{id: 'axe-error', impact: 'critical', nodes: [{target: String(e)}]}],"
            " passes: []}));")
        bad = [v for v in r["violations"] if v.get("impact") in ("serious", "critical")]
        Booth.scans[name] = {"violations": [(v["id"], v["impact"], len(v["nodes"])) for v in r["violations"]],
                             "passes": len(r["passes"])}
        self.assertEqual(bad, [], f"{name}: " + "; ".join(
            f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']} {v['nodes'][0].get('failureSummary', '')}"
            for v in bad))

    def open(self, path, lang=None):
        self.driver.get(self.url + path)
        self.wait(lambda d: d.execute_script(
            "return document.querySelectorAll('.lang-switch button').length === 3"))
        if lang:
            self.driver.find_element(By.CSS_SELECTOR, f".lang-switch button[lang='{lang}']").click()
            self.assertEqual(self.driver.execute_script("return document.documentElement.lang"), lang)

    def sign_in(self, v, code=None):
        self.visible("iin").clear()
        self.driver.find_element(By.ID, "iin").send_keys(v["iin"])
        self.driver.find_element(By.ID, "signin-code").clear()
        self.driver.find_element(By.ID, "signin-code").send_keys(code or v["signin_code"])
        self.driver.find_element(By.ID, "signin-submit").click()

    def choose(self, option):
        self.visible("q0-o0")
        self.driver.find_element(By.CSS_SELECTOR, f"label[for], label.option input[value='{option}']").click() \
            if False else self.driver.find_element(By.ID, f"q0-o{option}").click()
        self.driver.find_element(By.ID, "question-next").click()
        self.visible("review-continue").click()

    def encrypt(self, credential):
        field = self.visible("credential-code")
        field.clear()
        field.send_keys(credential)
        self.driver.find_element(By.ID, "encrypt").click()

    def cast_and_receipt(self):
        tracking = self.visible("ballot-tracking").text
        self.driver.find_element(By.ID, "cast").click()
        self.visible("receipt-tracking")
        self.assertEqual(self.driver.find_element(By.ID, "receipt-tracking").text, tracking)
        receipt = json.loads(self.driver.find_element(By.ID, "receipt-json").get_attribute("textContent"))
        self.assertEqual(receipt["tracking_code"], tracking)
        # Checked on the device: the board's signature, and that it is this ballot's receipt.
        self.assertEqual(self.driver.find_element(By.ID, "receipt-check").get_attribute("class"), "notice")
        return receipt

    def vote(self, choice, lang=None, shots=None):
        """A whole vote through the booth; returns the receipt the server signed."""
        i, v = self.voter()
        self.open("/", lang)
        self.sign_in(v)
        if shots: self.shot(f"{shots}-1-question"); self.axe(f"{shots} question")
        self.choose(0 if choice == "yes" else 1)
        if shots: self.shot(f"{shots}-2-review")
        self.visible("credential-code")
        if shots: self.shot(f"{shots}-3-credential"); self.axe(f"{shots} credential")
        self.encrypt(v["credential"])
        self.visible("ballot-tracking")
        if shots: self.shot(f"{shots}-4-cast-or-audit"); self.axe(f"{shots} cast or audit")
        r = self.cast_and_receipt()
        if shots: self.shot(f"{shots}-5-receipt"); self.axe(f"{shots} receipt")
        Booth.expected[i] = choice
        return i, v, r

    def lookup(self, digest):
        with urllib.request.urlopen(f"{self.url}/api/v1/ballots/{digest}") as r:
            return json.load(r)

    # --- tests --------------------------------------------------------------------------------

    def test_a_crypto_matches_swift_vectors_in_chromium(self):
        with open(os.path.join(VECTORS, "p256.json")) as f:
            crypto = json.load(f)
        with open(os.path.join(VECTORS, "eligibility-p256.json")) as f:
            eligibility = json.load(f)
        self.open("/verify")
        r = self.driver.execute_async_script(
            "const done = arguments[2];"
            "import('/js/kat.mjs').then(m => m.runKAT(arguments[0], arguments[1])).then(done,"
            " e => done({passed: 0, failed: [String(e)]}));", crypto, eligibility)
        self.assertEqual(r["failed"], [])
        self.assertGreaterEqual(r["passed"], 46)

    def test_b_vote_in_each_language(self):
        for lang, choice in (("kk", "yes"), ("ru", "no"), ("en", "yes")):
            with self.subTest(lang=lang):
                i, v, r = self.vote(choice, lang, shots=f"vote-{lang}")
                self.assertEqual(self.driver.find_element(By.ID, "receipt-h").text, WORDS[lang]["receipt"])
                self.assertEqual(self.driver.execute_script("return document.documentElement.lang"), lang)
                self.assertEqual(self.lookup(r["tracking_digest"])["status"], "counted")
                # The receipt as the booth saves it is the one the CLI checks.
                path = os.path.join(self.data, f"receipt-{lang}.json")
                with open(path, "w") as f:
                    f.write(self.driver.find_element(By.ID, "receipt-json").get_attribute("textContent"))
                self.assertIn("INCLUDED", self.run_dauys("receipt", "check", path, "--server", self.url))

    def test_c_audit_then_cast(self):
        i, v = self.voter()
        self.open("/", "en")
        self.sign_in(v)
        self.choose(1)
        self.encrypt(v["credential"])
        audited_code = self.visible("ballot-tracking").text
        self.driver.find_element(By.ID, "audit").click()
        entry = int(self.visible("audited-entry").text)
        self.assertEqual(self.driver.find_element(By.ID, "audited-tracking").text, audited_code)
        self.assertIn("No", self.driver.find_element(By.ID, "audited-choices").text)
        self.assertIn(f"--entry {entry}", self.driver.find_element(By.ID, "audited-command").text)
        self.shot("audit-1-published")
        self.axe("booth audited")
        self.driver.find_element(By.ID, "audit-again").click()
        fresh = self.visible("ballot-tracking").text
        self.wait(lambda d: d.find_element(By.ID, "ballot-tracking").text != audited_code)
        fresh = self.driver.find_element(By.ID, "ballot-tracking").text
        self.assertNotEqual(fresh, audited_code)
        r = self.cast_and_receipt()
        Booth.expected[i] = "no"
        self.assertEqual(self.lookup(r["tracking_digest"])["status"], "counted")
        # The audited ballot, re-created in the browser from its seed on the public audit page.
        self.open(f"/audit#entry={entry}", "en")
        self.wait(lambda d: "matches" in d.find_element(By.ID, "audit-result").text)
        self.assertIn("No", self.driver.find_element(By.ID, "audit-result").text)
        self.shot("audit-2-rechecked")
        self.axe("audit page")
        # The CLI agrees.
        out = self.run_dauys("audit-ballot", "--entry", str(entry), "--server", self.url)
        self.assertIn("no", out.lower())

    def test_d_revote_last_counts(self):
        i, v, first = self.vote("yes", "ru")
        self.driver.find_element(By.ID, "vote-again").click()
        self.choose(1)
        self.encrypt(v["credential"])
        second = self.cast_and_receipt()
        Booth.expected[i] = "no"
        self.assertNotEqual(first["tracking_digest"], second["tracking_digest"])
        old = self.lookup(first["tracking_digest"])
        self.assertEqual(old["status"], "superseded")
        self.assertEqual(old["superseded_by"], second["entry"])
        # The booth's look-up link shows the same on the board page.
        self.driver.find_element(By.ID, "receipt-lookup").click()
        self.wait(lambda d: "Засчитывается" in d.find_element(By.ID, "lookup-result").text)
        self.shot("revote-lookup")
        self.axe("board page with a look-up")

    def test_d2_a_ballot_cast_meanwhile_from_another_device(self):
        # The booth numbers its ballot as the credential's next (record.md §5.4). While it shows
        # the tracking code, the same voter casts from another device (the CLI): the booth's
        # ballot is now out of sequence, so the board refuses it, and the booth encrypts afresh.
        i, v = self.voter()
        self.open("/", "en")
        self.sign_in(v)
        self.choose(0)
        self.encrypt(v["credential"])
        stale = self.visible("ballot-tracking").text
        other = self.run_dauys(
            "vote", "--server", self.url, "--credential", v["credential"], "--choice", "no",
            "--iin", v["iin"], "--sign-in-code", v["signin_code"],
            "--receipt", os.path.join(self.data, "receipt-other-device.json"))
        self.assertIn("ballot cast", other)
        self.driver.find_element(By.ID, "cast").click()
        self.wait(lambda d: d.find_element(By.ID, "error").is_displayed())
        self.assertEqual(
            self.driver.find_element(By.ID, "error").text,
            "Another ballot with this voting code was cast meanwhile. "
            "Your ballot was encrypted again: write down its new tracking code and cast it.")
        self.wait(lambda d: d.find_element(By.ID, "ballot-tracking").text not in ("", stale))
        self.shot("out-of-sequence")
        r = self.cast_and_receipt()
        Booth.expected[i] = "yes"
        self.assertEqual(self.lookup(r["tracking_digest"])["status"], "counted")
        with open(os.path.join(self.data, "receipt-other-device.json")) as f:
            first = json.load(f)
        old = self.lookup(first["tracking_digest"])
        self.assertEqual(old["status"], "superseded")
        self.assertEqual(old["superseded_by"], r["entry"])

    def test_e_wrong_codes_are_explained(self):
        i, v = self.voter()
        self.open("/", "en")
        self.sign_in(v, code="WRONG-CODE")
        err = self.visible("signin-error")
        self.assertEqual(err.text, "The IIN or the sign-in code is wrong.")
        self.shot("wrong-1-signin")
        self.axe("booth sign-in error")
        self.sign_in(v)
        self.choose(0)
        other = self.voters[-1]["credential"]
        self.encrypt(other)
        self.assertEqual(self.visible("credential-error").text,
                         "This voting code is not the one in your letter. Please check it again.")
        self.encrypt("UUUU-" + v["credential"][5:])
        self.assertEqual(self.visible("credential-error").text,
                         "The code contains a character that is not allowed: “U”.")
        self.encrypt(v["credential"][:-2])
        self.assertIn("24 characters", self.visible("credential-error").text)
        self.shot("wrong-2-credential")
        self.axe("booth credential error")
        # The choice was kept: the right code casts it.
        self.encrypt(v["credential"])
        r = self.cast_and_receipt()
        Booth.expected[i] = "yes"
        self.assertEqual(self.lookup(r["tracking_digest"])["status"], "counted")

    def test_e2_locked_out_after_wrong_codes(self):
        i, v = self.voter()
        self.open("/", "en")
        for _ in range(5):
            self.sign_in(v, code="WRONG-CODE")
            self.wait(lambda d: d.find_element(By.ID, "signin-error").text == "The IIN or the sign-in code is wrong.")
            self.driver.execute_script("document.getElementById('signin-error').hidden = true")
        self.sign_in(v, code="WRONG-CODE")
        self.wait(lambda d: d.find_element(By.ID, "signin-error").is_displayed()
                  and "Too many" in d.find_element(By.ID, "signin-error").text)
        # The server's pair lock-out is 900 s: the voter is told the minutes, not a code.
        self.assertEqual(self.driver.find_element(By.ID, "signin-error").text,
                         "Too many wrong codes. Try again in 15 minutes.")
        self.shot("locked-out")

    def test_e3_network_lost_then_retry_keeps_the_ballot(self):
        i, v = self.voter()
        self.open("/", "en")
        self.sign_in(v)
        self.choose(0)
        self.encrypt(v["credential"])
        tracking = self.visible("ballot-tracking").text
        d = self.driver
        d.set_network_conditions(offline=True, latency=0, download_throughput=-1, upload_throughput=-1)
        try:
            d.find_element(By.ID, "cast").click()
            err = self.visible("error")
            self.assertEqual(err.text, "The connection was lost. Your choice is kept: press “Retry”.")
            self.shot("network-lost")
        finally:
            d.set_network_conditions(offline=False, latency=0, download_throughput=-1, upload_throughput=-1)
        self.visible("retry").click()
        self.visible("receipt-tracking")
        # The very ballot encrypted before the loss was cast: same tracking code.
        self.assertEqual(d.find_element(By.ID, "receipt-tracking").text, tracking)
        Booth.expected[i] = "yes"

    def test_f_keyboard_only(self):
        i, v = self.voter()
        self.open("/", "kk")
        d = self.driver

        def tab_to(element_id, limit=40):
            for _ in range(limit):
                a = d.switch_to.active_element
                if a.get_attribute("id") == element_id:
                    style = d.execute_script(
                        "const s = getComputedStyle(arguments[0]); return [s.outlineStyle, s.outlineWidth];", a)
                    self.assertNotEqual(style[0], "none", f"no visible focus on #{element_id}")
                    return a
                a.send_keys(Keys.TAB)
            self.fail(f"#{element_id} not reachable with Tab")

        self.visible("iin")
        d.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
        tab_to("iin").send_keys(v["iin"])
        tab_to("signin-code").send_keys(v["signin_code"] + Keys.ENTER)
        self.visible("q0-o0")
        tab_to("q0-o0").send_keys(Keys.SPACE)
        tab_to("question-next").send_keys(Keys.ENTER)
        self.visible("review-continue")
        tab_to("review-continue").send_keys(Keys.ENTER)
        self.visible("credential-code")
        tab_to("credential-code").send_keys(v["credential"] + Keys.ENTER)
        self.visible("ballot-tracking")
        tab_to("cast").send_keys(Keys.ENTER)
        self.visible("receipt-tracking")
        self.assertEqual(d.find_element(By.ID, "receipt-h").text, WORDS["kk"]["receipt"])
        self.shot("keyboard-receipt")
        Booth.expected[i] = "yes"

    def test_g_phone_viewport_360px(self):
        d = self.driver
        d.set_window_size(360, 740)
        try:
            width = d.execute_script("return window.innerWidth")
            overflow = "return document.documentElement.scrollWidth <= window.innerWidth + 1"
            i, v = self.voter()
            self.open("/", "ru")
            self.assertTrue(d.execute_script(overflow), "sign-in screen scrolls sideways")
            self.sign_in(v)
            self.visible("q0-o0")
            self.assertTrue(d.execute_script(overflow), "question screen scrolls sideways")
            self.shot("phone-1-question")
            self.choose(1)
            self.encrypt(v["credential"])
            self.visible("ballot-tracking")
            self.assertTrue(d.execute_script(overflow), "cast-or-audit screen scrolls sideways")
            self.shot("phone-2-cast-or-audit")
            self.cast_and_receipt()
            self.assertTrue(d.execute_script(overflow), "receipt screen scrolls sideways")
            self.shot("phone-3-receipt")
            self.axe("phone receipt")
            Booth.expected[i] = "no"
            for page in ("/turnout", "/results", "/board", "/verify", "/audit"):
                self.open(page, "ru")
                self.assertTrue(d.execute_script(overflow), f"{page} scrolls sideways at {width} px")
            # Text at 200 %: the booth still fits (WCAG 1.4.4).
            self.open("/", "kk")
            d.execute_script("document.documentElement.style.fontSize = '200%'")
            self.visible("iin")
            self.assertTrue(d.execute_script(overflow), "sign-in at 200 % text scrolls sideways")
            self.shot("phone-4-text-200")
        finally:
            d.set_window_size(1280, 900)

    def test_h_session_warning_and_extension(self):
        i, v = self.voter()
        self.open("/", "en")
        self.sign_in(v)
        self.visible("q0-o0")
        self.driver.find_element(By.ID, "q0-o0").click()
        warning = self.visible("session-warning", timeout=30)
        self.assertIn("Your session ends in", warning.text)
        self.shot("session-warning")
        self.axe("booth session warning")
        self.driver.find_element(By.ID, "session-extend").click()
        self.wait(lambda d: not d.find_element(By.ID, "session-warning").is_displayed())
        self.assertEqual(self.driver.find_element(By.ID, "status").text, "The session was extended.")
        self.assertTrue(self.driver.find_element(By.ID, "q0-o0").is_selected(), "the choice was lost")

    def test_i_public_pages(self):
        for page, ready in (("/turnout", "turnout-summary"), ("/results", "official"), ("/board", "entries"),
                            ("/verify", "verify-commands"), ("/audit", "audit-form")):
            for lang in ("kk", "ru", "en"):
                self.open(page, lang)
                self.wait(lambda d: d.find_element(By.ID, ready).get_attribute("textContent").strip() != ""
                          or page == "/audit")
                self.shot(f"page{page.replace('/', '-')}-{lang}")
                self.axe(f"{page} ({lang})")
        self.open("/turnout", "en")
        self.wait(lambda d: "Total:" in d.find_element(By.ID, "turnout-summary").text)
        self.assertTrue(self.driver.find_elements(By.CSS_SELECTOR, "#turnout-map svg g"), "no cartogram")
        self.assertGreaterEqual(len(self.driver.find_elements(By.CSS_SELECTOR, "#turnout-hours svg rect.bar")), 24)
        self.open("/board", "en")
        self.wait(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#entries tbody tr")) > 0)
        # No page may need an inline script: the policy forbids them, and the console says so.
        for entry in self.driver.get_log("browser"):
            self.assertNotIn("Content Security Policy", entry["message"])

    def test_z_count_and_verify(self):
        """Close, tally, decrypt, publish with the CLI; the record verifies; the browser's votes
        are exactly the e-vote totals; the results page says FINAL."""
        Booth.stop_server()
        d = self.data
        self.run_dauys("phase", "--data", d, "closed")
        self.run_dauys("tally", "--data", d)
        self.run_dauys("phase", "--data", d, "tallied")
        for t in (1, 2, 3):
            self.run_dauys("trustee", "decrypt", "--data", d, "--key", os.path.join(d, f"trustee-{t}.json"))
        self.run_dauys("phase", "--data", d, "decrypted")
        self.run_dauys("results", "--data", d, "--publish")
        self.run_dauys("record", "export", "--data", d, os.path.join(d, "record"))
        report = json.loads(self.run_dauys("verify", os.path.join(d, "record"), "--json"))
        self.assertTrue(report["valid"], report)
        Booth.start_server()
        with urllib.request.urlopen(self.url + "/api/v1/results") as r:
            results = json.load(r)
        yes = sum(1 for c in Booth.expected.values() if c == "yes")
        no = sum(1 for c in Booth.expected.values() if c == "no")
        self.assertEqual(results["questions"][0]["totals"], [yes, no])
        self.assertEqual(results["questions"][0]["participants"], len(Booth.expected))
        self.open("/", "en")
        self.assertEqual(self.visible("closed-text").text, "Voting has closed.")
        self.shot("booth-closed")
        self.axe("booth after voting closed")
        self.open("/results", "en")
        self.wait(lambda d: "FINAL" in d.find_element(By.ID, "evote").text)
        self.shot("results-final")
        self.axe("/results after publication")


if __name__ == "__main__":
    unittest.main()
