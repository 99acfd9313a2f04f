#!/usr/bin/env python3
"""Drives the web console (docs/console.md) in headless Chromium against a running gateway
that serves the Chinook export with a bearer token. Run by scripts/console-check.sh, which
starts the gateway; usage: console-browser-test.py BASE_URL TOKEN SCREENSHOT_DIR SQLITE_FILE

Steps (a screenshot of each in SCREENSHOT_DIR): the token prompt, the tables, a search,
a row, following a ref, an edit, a change by a second client appearing live, a stale edit
refused and then applied, a row marked in a list, new and delete, and a schema reload
(DDL on SQLITE_FILE) on the status line. Exits non-zero on the first failed step."""
import json
import os
import sqlite3
import sys
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

BASE, TOKEN, SHOTS, DB = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3], sys.argv[4]
os.makedirs(SHOTS, exist_ok=True)
step_no = 0


def step(name):
    global step_no
    step_no += 1
    path = os.path.join(SHOTS, f"{step_no:02d}-{name}.png")
    driver.save_screenshot(path)
    print(f"console-check: step {step_no} {name}: ok ({path})", flush=True)


def second_client(method, path, body=None, etag=None):
    """A second client: plain HTTP on the REST face, as curl would."""
    headers = {"Authorization": "Bearer " + TOKEN, "Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if etag:
        headers["If-Match"] = etag
    req = urllib.request.Request(BASE + path, data=data, method=method, headers=headers)
    with urllib.request.urlopen(req, timeout=10) as res:
        return res.status, res.headers.get("ETag"), json.loads(res.read() or b"null")


def wait_for(cond, timeout=15):
    # The console re-renders a view when a reply or an event arrives; an element found
    # just before that is stale: look again rather than fail.
    return WebDriverWait(driver, timeout, ignored_exceptions=[StaleElementReferenceException]).until(cond)


def row_texts(d):
    """The texts of the rows of the table on screen (found afresh at each call)."""
    return [r.text for r in d.find_elements(By.CSS_SELECTOR, "#rows tbody tr")]


def click(by, value):
    """Clicks the element, found again if a re-render made it stale."""
    for attempt in range(5):
        try:
            element = wait_for(EC.element_to_be_clickable((by, value)))
            driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
            element.click()
            return
        except StaleElementReferenceException:
            if attempt == 4:
                raise


def text_in(selector, text):
    return EC.text_to_be_present_in_element((By.CSS_SELECTOR, selector), text)


options = webdriver.ChromeOptions()
options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1366,900"):
    options.add_argument(arg)
driver = webdriver.Chrome(options=options, service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")))
failed = False
try:
    # 1. Open the console: the server wants a token; the page asks for it.
    driver.get(BASE + "/console/")
    wait_for(EC.visibility_of_element_located((By.ID, "token-input")))
    step("token-prompt")
    driver.find_element(By.ID, "token-input").send_keys(TOKEN)
    driver.find_element(By.CSS_SELECTOR, "#token-form button").click()
    wait_for(text_in("#view h1", "Exported tables"))
    wait_for(text_in("#status", "connected"))
    cards = driver.find_elements(By.CSS_SELECTOR, ".tables .card")
    assert len(cards) >= 11, f"expected Chinook's 11 tables, saw {len(cards)}"
    assert "Album" in driver.find_element(By.ID, "view").text
    step("tables")

    # 2. Search: the album titled "IV" (an equality filter; the other operators need the
    #    queries issue's server side).
    Select(driver.find_element(By.ID, "table-jump")).select_by_value("Album")
    wait_for(text_in("#view h1", "Album"))
    Select(driver.find_element(By.ID, "f-field")).select_by_value("Title")
    Select(driver.find_element(By.ID, "f-op")).select_by_value("eq")
    driver.find_element(By.ID, "f-value").send_keys("IV\n")
    wait_for(EC.presence_of_element_located((By.CSS_SELECTOR, ".chips li")))
    wait_for(text_in("#rows tbody", "IV"))
    rows = driver.find_elements(By.CSS_SELECTOR, "#rows tbody tr")
    assert len(rows) == 1 and "IV" in rows[0].text, "the search shows other rows"
    step("search")

    # 3. Open the row.
    rows[0].find_element(By.LINK_TEXT, "open").click()
    wait_for(EC.presence_of_element_located((By.ID, "row-fields")))
    assert "IV" in driver.find_element(By.ID, "row-fields").text
    step("row")

    # 4. Follow the ref to its artist.
    ref = driver.find_element(By.CSS_SELECTOR, '#row-fields a[href^="#/row/Artist/"]')
    artist_path = ref.get_attribute("href").split("#/row/")[1]
    ref.click()
    wait_for(text_in("#view h1", "Artist"))
    wait_for(text_in("#row-fields", "Led Zeppelin"))
    assert driver.find_elements(By.CSS_SELECTOR, "#backrefs a"), "the artist's backrefs are not listed"
    step("follow-ref")

    # 5. Edit the artist's name.
    driver.find_element(By.ID, "edit").click()
    name = wait_for(EC.presence_of_element_located((By.ID, "in-Name")))
    name.clear()
    name.send_keys("Led Zeppelin (edited in the console)")
    driver.find_element(By.CSS_SELECTOR, "#row-form button[type=submit]").click()
    wait_for(text_in("#row-fields", "Led Zeppelin (edited in the console)"))
    step("edit")

    # 6. A second client changes the row: the page marks it and refreshes on request.
    _, etag, _ = second_client("GET", "/api/" + artist_path)
    second_client("PATCH", "/api/" + artist_path, {"Name": "Led Zeppelin (second client)"}, etag)
    wait_for(EC.visibility_of_element_located((By.ID, "refresh-row")))
    step("changed-by-another-client")
    driver.find_element(By.ID, "refresh-row").click()
    wait_for(text_in("#row-fields", "Led Zeppelin (second client)"))
    step("refreshed")

    # 7. A stale edit: the form was opened, then the second client wrote again.
    driver.find_element(By.ID, "edit").click()
    name = wait_for(EC.presence_of_element_located((By.ID, "in-Name")))
    _, etag, _ = second_client("GET", "/api/" + artist_path)
    second_client("PATCH", "/api/" + artist_path, {"Name": "Led Zeppelin (meanwhile)"}, etag)
    name.clear()
    name.send_keys("Led Zeppelin (stale edit)")
    driver.find_element(By.CSS_SELECTOR, "#row-form button[type=submit]").click()
    wait_for(EC.presence_of_element_located((By.ID, "stale")))
    assert "meanwhile" in driver.find_element(By.ID, "row-form").text, "the current row is not shown"
    _, _, stored = second_client("GET", "/api/" + artist_path)
    assert stored["Name"] == "Led Zeppelin (meanwhile)", "the stale edit was written"
    step("stale-edit-refused")
    driver.find_element(By.CSS_SELECTOR, "#row-form button[type=submit]").click()
    wait_for(text_in("#row-fields", "Led Zeppelin (stale edit)"))
    step("edit-applied-after-confirming")

    # 8. The list view marks a row another client changed.
    driver.get(BASE + "/console/#/table/Artist?ArtistId=eq.22")
    wait_for(text_in("#rows tbody", "stale edit"))
    _, etag, _ = second_client("GET", "/api/" + artist_path)
    second_client("PATCH", "/api/" + artist_path, {"Name": "Led Zeppelin"}, etag)
    wait_for(EC.presence_of_element_located((By.CSS_SELECTOR, "#rows tr.changed button.refresh")))
    step("list-row-marked")

    # 9. New and delete on a read-write table.
    driver.find_element(By.LINK_TEXT, "New row").click()
    name = wait_for(EC.presence_of_element_located((By.ID, "in-Name")))
    name.send_keys("Console Test Artist")
    driver.find_element(By.CSS_SELECTOR, "#row-form button[type=submit]").click()
    wait_for(text_in("#row-fields", "Console Test Artist"))
    created_path = driver.current_url.split("#/row/")[1]
    step("new-row")
    driver.find_element(By.XPATH, "//button[text()='Delete']").click()
    wait_for(EC.element_to_be_clickable((By.ID, "confirm-delete"))).click()
    wait_for(text_in("#alert", "Deleted"))
    try:
        second_client("GET", "/api/" + created_path)
        raise AssertionError("the deleted row is still there")
    except urllib.error.HTTPError as e:
        assert e.code == 404, f"GET of the deleted row: {e.code}"
    step("deleted")

    # 10. DDL while serving: the gateway reloads the schema, the status line says so.
    ddl = sqlite3.connect(DB)
    ddl.execute('ALTER TABLE "Genre" ADD COLUMN "Note" TEXT')
    ddl.commit()
    ddl.close()
    wait_for(text_in("#schema-status", "schema reloaded"), timeout=30)
    driver.find_element(By.CSS_SELECTOR, "a.brand").click()
    wait_for(text_in("#view", "Note"))
    step("schema-reloaded")

    # 11. Ordering, keyset pages and counts on Chinook's 3503 tracks.
    driver.get(BASE + "/console/#/table/Track?order=-Milliseconds&limit=5")
    try:
        first_page = wait_for(lambda d: (lambda t: t if len(t) == 5 and "Occupation / Precipice" in t[0] else False)(row_texts(d)))
    except Exception:
        raise AssertionError(f"not 5 rows ordered by -Milliseconds: {row_texts(driver)}")
    if driver.find_elements(By.ID, "next-page"):
        click(By.ID, "next-page")
        second_page = wait_for(lambda d: (lambda t: t if t and t[0] != first_page[0] else False)(row_texts(d)))
        assert len(second_page) == 5, f"the next page has {len(second_page)} rows, not 5"
        assert "after=" in driver.current_url, "the next page is not a keyset cursor"
    else:
        print("console-check: note: the REST face sent no Link: rel=next; paging not exercised", flush=True)
    click(By.XPATH, "//button[text()='Count rows']")
    wait_for(text_in("#count", "3503 rows (exact)"))
    step("order-page-count")
except Exception as e:  # noqa: BLE001 - any failure fails the check, with a screenshot
    failed = True
    driver.save_screenshot(os.path.join(SHOTS, "failure.png"))
    print(f"console-check: FAILED after step {step_no}: {type(e).__name__}: {e}", file=sys.stderr)
    for entry in driver.get_log("browser") if hasattr(driver, "get_log") else []:
        print("  browser:", entry.get("message"), file=sys.stderr)
finally:
    driver.quit()
sys.exit(1 if failed else 0)
