"""The screenshots of docs/guide.md, taken from the demo review (`winnow demo`) by a real browser,
so the pictures in the guide are always of the pages as they are. Each page must show its heading
before it is photographed. tests/test_docs.py checks that the guide and these shots agree."""

import io
from pathlib import Path

from PIL import Image, ImageChops
from playwright.sync_api import expect

from app.demo import PEOPLE, create_demo

IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"

# name of the PNG -> (path under /reviews/N, a heading the page must show, whether to scroll
# that heading to the top of the window before the shot; otherwise the top of the page is shown)
PAGES = {
    "overview": ("", "Progress", False),
    "imports": ("/imports", "Import search results", False),
    "duplicates": ("/duplicates", "Possible duplicates", False),
    "screening": ("/screen/title_abstract", None, False),
    "conflicts": ("/conflicts/title_abstract", "Title and abstract: conflicts", False),
    "statistics": ("/statistics", "Relevant records found as screening goes on", False),
    "statistics-stopping": ("/statistics", "Am I done? A statistical check", True),
    "extraction": ("/extraction", "Included studies", False),
    "studies": ("/extraction/studies", "6 studies from 6 reports", False),
    "prisma": ("/prisma", "PRISMA 2020 flow diagram", False),
    "summaries": ("/summaries", "Summaries of the included evidence", False),
    "summaries-sentences": ("/summaries", "Sentences", True),
}
SHOTS = (*PAGES, "reconcile")


# Every time a page shows is in a <time> element (the "moment" filter); in the pictures each is
# one fixed time, and the PRISMA page's as-of date (field and diagram) one fixed day, so a shot changes only when
# its page does, not with the clock.
FIX_THE_CLOCK = """() => {
    for (const node of document.querySelectorAll("time")) {
        node.textContent = node.textContent.replace(/\\d\\d \\w{3}/, "01 Dec").replace(/\\d{4}/, "2026")
            .replace(/\\d\\d:\\d\\d(:\\d\\d)?/, (found) => found.length > 5 ? "09:30:00" : "09:30");
    }
    for (const node of document.querySelectorAll("svg text")) {  // the PRISMA diagram's footnote
        node.textContent = node.textContent.replace(/as of \\d{4}-\\d\\d-\\d\\d/, "as of 2026-12-01");
    }
    const asOf = document.getElementById("as_of");
    if (asOf) asOf.value = "2026-12-01";
}"""


def _shoot(page, name: str) -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    page.evaluate(FIX_THE_CLOCK)
    shot, path = page.screenshot(full_page=False), IMAGES / f"{name}.png"
    if not (path.exists() and _same_picture(path.read_bytes(), shot)):
        path.write_bytes(shot)


def _same_picture(old: bytes, new: bytes) -> bool:
    """Chromium's text smoothing is not quite repeatable: a few pixels one grey level off.
    Those keep the committed picture, so the guide's images change only when a page does."""
    before, after = (Image.open(io.BytesIO(data)).convert("RGB") for data in (old, new))
    if before.size != after.size:
        return False
    low, high = zip(*ImageChops.difference(before, after).getextrema())
    return max(high) <= 2


def test_the_guide_screenshots_show_each_page_of_the_demo_review(live_server, browser, engine, settings, backend):
    demo = create_demo(engine, settings)
    lead_email = PEOPLE[0][0]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{live_server}/login")
        page.get_by_label("Email").fill(lead_email)
        page.get_by_label("Password").fill(demo.passwords[lead_email])
        page.get_by_role("button", name="Log in").click()
        base = f"{live_server}/reviews/{demo.review_id}"
        for name, (path, heading, scroll) in PAGES.items():
            page.goto(base + path)
            expect(page.get_by_role("heading", name="Demo: drug classes for ADHD")).to_be_visible()
            shown = page.locator("#record-title") if heading is None else page.get_by_role("heading", name=heading)
            expect(shown.first).to_be_visible()
            page.wait_for_load_state("networkidle")
            if scroll:
                shown.first.evaluate("node => window.scrollTo(0, Math.round(node.getBoundingClientRect().top + window.scrollY) - 24)")
            if backend == "sqlite":  # one set of pictures; the PostgreSQL run checks the same pages
                _shoot(page, name)
        page.goto(base + "/extraction")
        page.get_by_role("link", name="Demo data form").first.click()
        page.get_by_role("link", name="Reconcile").first.click()
        expect(page.get_by_role("heading", name="answers differ")).to_be_visible()
        if backend == "sqlite":
            _shoot(page, "reconcile")
    finally:
        context.close()
