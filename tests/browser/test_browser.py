"""A person's view of the archive: headless Chromium on the real ``scraper serve``.

Uses Debian's ``chromium`` package (``apt-get install -y chromium``; .ci/run
installs it) through Playwright's ``executable_path``: Playwright's own browser
download does not work here. Screenshots go to the test's tmp_path.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.browser.served import Served, build_archive

CHROMIUM = os.environ.get("SCRAPER_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
NEW_TITLE = "Hoa tam giác mạch khoe sắc trên cao nguyên đá Đồng Văn"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    archive = build_archive(tmp_path_factory.mktemp("browser"))
    served = Served(archive.db, log=tmp_path_factory.mktemp("serve") / "serve.log")
    yield served
    served.stop()


@pytest.fixture(scope="module")
def browser():
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's package "
                    "(apt-get update && apt-get install -y chromium), as .ci/run does, "
                    "or point SCRAPER_CHROMIUM at a Chromium binary.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    opened = context.new_page()
    opened.dialogs = []
    opened.on("dialog", lambda dialog: (opened.dialogs.append(dialog.message), dialog.dismiss()))
    yield opened
    context.close()


def test_search_then_read_an_articles_history(server, page, tmp_path):
    page.goto(f"{server.base}/archive/articles?_search=dong+van")
    titles = page.locator("td.col-title a")
    assert titles.all_inner_texts() == [NEW_TITLE, "Chợ tình Khâu Vai họp phiên đầu năm ở Mèo Vạc"]
    assert "2 rows where search matches" in page.locator("h3").first.inner_text()
    page.screenshot(path=tmp_path / "search.png", full_page=True)

    titles.first.click()
    page.wait_for_url("**/archive/-/history/*")
    assert page.locator("h1").inner_text() == NEW_TITLE
    versions = page.locator("ol.scraper-versions > li")
    assert versions.count() == 2
    assert versions.nth(0).inner_text().startswith("Version 2")
    assert "changed: Title, Body" in versions.nth(0).inner_text()
    assert versions.nth(1).inner_text().startswith("Version 1")

    change = page.locator("#v2 .scraper-change[data-field=title]")
    inserted, deleted = change.locator("ins"), change.locator("del")
    assert inserted.inner_text() == "khoe sắc" and inserted.is_visible()
    assert deleted.inner_text() == "nở rộ" and deleted.is_visible()
    # Highlighted: the inserted words sit on a coloured background, the deleted ones are struck through.
    assert inserted.evaluate("e => getComputedStyle(e).backgroundColor") not in ("rgba(0, 0, 0, 0)", "")
    assert "line-through" in deleted.evaluate("e => getComputedStyle(e).textDecorationLine")
    body = page.locator("#v2 .scraper-change[data-field=body]")
    assert body.locator("ins").inner_text() == "hơn mười"
    page.screenshot(path=tmp_path / "history.png", full_page=True)
    assert (tmp_path / "search.png").stat().st_size > 0 and (tmp_path / "history.png").stat().st_size > 0
    assert page.dialogs == []


def test_a_scraped_script_is_shown_as_text_and_never_runs(server, page, tmp_path):
    page.goto(f"{server.base}/archive/articles?_search=lua+dao")
    link = page.locator("td.col-title a")
    assert link.inner_text().startswith('<script>alert("xss")</script>')
    link.click()
    page.wait_for_url("**/archive/-/history/*")
    assert page.locator("h1").inner_text().startswith('<script>alert("xss")</script>')
    # An article with one version shows its full text straight away.
    assert page.locator("#v1 details").get_attribute("open") is not None
    assert "javascript:alert(document.cookie)" in page.locator("#v1 .scraper-body").inner_text()
    assert page.locator("a[href^='javascript:'], img[src^='javascript:']").count() == 0
    page.screenshot(path=tmp_path / "hostile.png", full_page=True)
    assert page.dialogs == []
