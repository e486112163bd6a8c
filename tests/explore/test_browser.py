"""The explorer in a real browser: headless Debian Chromium against a real uvicorn on 127.0.0.1.

BlogCatalog (10,312 nodes) embedded twice (FastRP, DeepWalk); every page fails the test on a
request to a non-loopback host, an uncaught page error or a console error (conftest.open_page).
The page is checked against the HTTP API's own answers (httpx): the neighbour list of a clicked
point is the query endpoint's, the highlighted count is the search endpoint's, the exported CSV
holds the selected ids, the mean agreement is /compare's. ``EMBEDLAB_WRITE_SCREENSHOT=1`` also
writes docs/img/explorer.png.
"""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path

import numpy as np
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.data]

ROOT = Path(__file__).resolve().parents[2]
FASTRP, DEEPWALK = "blog_fastrp", "blog_deepwalk"  # conftest.blog_store
HOME = f"/explore#c={FASTRP}&color=label"
TIMEOUT_MS = 60_000

#: canvas pixels that are not the white background
PIXELS = """(id) => {
  const c = document.getElementById(id);
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let k = 0;
  const colours = new Set();
  for (let i = 0; i < d.length; i += 4) {
    if (d[i] !== 255 || d[i + 1] !== 255 || d[i + 2] !== 255) {
      k++;
      colours.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
    }
  }
  return [k, colours.size];
}"""

#: the index of a point at least ``minPx`` from every other on screen, well inside the canvas
ISOLATED = """(minPx) => {
  const x = window.__explorer;
  const n = x.count();
  const c = document.getElementById('canvas-a');
  const pos = [];
  for (let i = 0; i < n; i++) pos.push(x.screenOf(i));
  for (let i = 0; i < n; i += 7) {
    const p = pos[i];
    if (p.x < 40 || p.y < 40 || p.x > c.width - 40 || p.y > c.height - 40) continue;
    let ok = true;
    for (let j = 0; j < n && ok; j++) {
      if (j !== i && Math.hypot(pos[j].x - p.x, pos[j].y - p.y) < minPx) ok = false;
    }
    if (ok) return i;
  }
  return -1;
}"""


def painted(page, compare: bool = False) -> None:
    """Wait for the first coloured frame (and the compare map and its agreement)."""
    page.wait_for_function(
        "window.__explorer && window.__explorer.firstPaintMs > 0 && window.__explorer.colouredMs > 0",
        timeout=TIMEOUT_MS,
    )
    if compare:
        page.wait_for_function(
            "window.__explorer.count('b') > 0 && window.__explorer.meanAgreement !== undefined",
            timeout=TIMEOUT_MS,
        )


def job_id(page, key: str = "a") -> str:
    return page.evaluate(f"window.__explorer.jobs().{key}.id")


def click_point(page, index: int, key: str = "a") -> str:
    """Click point ``index`` of map ``key``; its id (a string, as the URL holds it)."""
    pos = page.evaluate(f"window.__explorer.screenOf({index}, '{key}')")
    page.mouse.click(pos["clientX"], pos["clientY"])
    return str(pos["id"])


def drag(page, canvas: str, x0: float, y0: float, x1: float, y1: float) -> None:
    box = page.locator(canvas).bounding_box()
    page.mouse.move(box["x"] + x0, box["y"] + y0)
    page.mouse.down()
    for t in (0.25, 0.5, 0.75, 1.0):
        page.mouse.move(box["x"] + x0 + t * (x1 - x0), box["y"] + y0 + t * (y1 - y0))
    page.mouse.up()


def neighbour_ids(page) -> list[str]:
    return page.eval_on_selector_all("#neighbours li", "ls => ls.map(l => l.dataset.id)")


@pytest.fixture(scope="module")
def home(browser, server, ex):
    """One page at the FastRP map, coloured by label, painted (shared by the read-only tests)."""
    context, page, log = ex.open_page(browser, server + HOME)
    painted(page)
    yield page, log
    log.check()
    context.close()


def test_js_helpers(home):
    page, _ = home
    got = page.evaluate(
        """() => {
      const u = window.__explorer.util;
      const cases = [[], ['5'], ['5', '6', '7', '8', '20'], ['-3', '0', '1', '2', '99999999'],
                     ['b,c', 'a', 'x y', 'é'], ['12', 'abc']];
      const trips = cases.map((ids) => [u.encodeIds(ids), u.decodeIds(u.encodeIds(ids))]);
      const square = [0, 0, 2, 0, 2, 2, 0, 2];
      const concave = [0, 0, 4, 0, 4, 4, 3, 4, 3, 1, 1, 1, 1, 4, 0, 4];  // a "U"
      return {
        trips,
        inSquare: [u.pointInPolygon(1, 1, square), u.pointInPolygon(3, 1, square)],
        inU: [u.pointInPolygon(0.5, 3, concave), u.pointInPolygon(2, 3, concave),
              u.pointInPolygon(2, 0.5, concave)],
        ramp: [u.ramp(0), u.ramp(1), u.ramp(-1), u.ramp(NaN), u.ramp(0.5)],
        hash: u.parseHash('#' + u.formatHash({c: 'a b', q: 'x&y=z', cam: '1.5,-2,3', sel: 'i5_3.c'})),
      };
    }"""
    )
    expected = [
        [],
        ["5"],
        ["5", "6", "7", "8", "20"],
        ["-3", "0", "1", "2", "99999999"],
        sorted(["b,c", "a", "x y", "é"]),
        ["12", "abc"],
    ]
    assert [t[1] for t in got["trips"]] == expected
    assert got["trips"][2][0] == "i5_3.c"  # 5, a run of 3 more, then +12 (base 36)
    assert got["inSquare"] == [True, False]
    assert got["inU"] == [True, False, True]
    assert got["ramp"][0] == [0x44, 0x01, 0x54]
    assert got["ramp"][1] == [0xFE, 0xE8, 0x25]
    assert got["ramp"][2] == got["ramp"][0] == got["ramp"][3]
    assert got["hash"] == {"c": "a b", "q": "x&y=z", "cam": "1.5,-2,3", "sel": "i5_3.c"}


def test_map_is_drawn_and_coloured(home, api):
    page, _ = home
    n_points = api.get(f"/collections/{FASTRP}").json()["result"]["count"]
    assert page.evaluate("window.__explorer.points") == n_points == 10312
    pixels, colours = page.evaluate(PIXELS, "canvas-a")
    assert pixels > 2000, pixels
    assert colours >= 15, colours  # the label palette, not one colour
    col = api.get(f"/collections/{FASTRP}/projections/{job_id(page)}/column/label").json()
    n_cats = len(col["result"]["categories"])
    assert n_cats > 20  # BlogCatalog: 39 labels, 38 of them first labels
    legend = page.locator("#legend .entry").all_inner_texts()
    assert len(legend) == 21  # 20 palette colours + "other"
    assert legend[-1].startswith(f"other ({n_cats - 20} categories)")
    # the other entries: the 20 most frequent labels with their counts, most frequent first
    codes = np.asarray(col["result"]["codes"])
    counts = sorted(np.bincount(codes[codes >= 0]).tolist(), reverse=True)
    shown = [int(t.rsplit("\n", 1)[1].replace(",", "")) for t in legend[:20]]
    assert shown == counts[:20]
    assert int(legend[-1].rsplit("\n", 1)[1].replace(",", "")) == sum(counts[20:])
    assert page.is_hidden("#error")


def test_click_lists_the_query_endpoints_neighbours(home, api):
    page, _ = home
    index = page.evaluate(ISOLATED, 5)
    assert index >= 0, "no isolated point on the map"
    # hover: the tooltip shows the id, the colour value and the payload (fetched lazily)
    pos = page.evaluate(f"window.__explorer.screenOf({index})")
    page.mouse.move(pos["clientX"], pos["clientY"])
    label = api.get(f"/collections/{FASTRP}/points/{pos['id']}").json()["result"]["payload"][
        "label"
    ]
    page.wait_for_function(
        "document.querySelector('#tooltip .snippet') && "
        f"document.querySelector('#tooltip .snippet').textContent === 'label: {label}'",
        timeout=TIMEOUT_MS,
    )
    tip = page.inner_text("#tooltip")
    assert tip.splitlines()[:2] == [str(pos["id"]), f"label: {label}"]
    pid = click_point(page, index)
    page.wait_for_function(
        f"window.__explorer.state().p === '{pid}' && "
        "document.querySelectorAll('#neighbours li').length === 10",
        timeout=TIMEOUT_MS,
    )
    r = api.post(
        f"/collections/{FASTRP}/points/query", json={"query": {"id": int(pid)}, "limit": 10}
    )
    want = r.json()["result"]["points"]
    assert neighbour_ids(page) == [str(p["id"]) for p in want]
    scores = page.eval_on_selector_all("#neighbours .score", "s => s.map(x => +x.textContent)")
    assert scores == pytest.approx([p["score"] for p in want], abs=1e-4)
    assert page.evaluate("window.__explorer.neighbours") == [str(p["id"]) for p in want]
    # a neighbour in the list is clickable: it becomes the clicked point
    page.click(f"#neighbours li[data-id='{want[0]['id']}']")
    page.wait_for_function(
        f"window.__explorer.state().p === '{want[0]['id']}' && "
        f"document.querySelector('#neighbours li') && "
        f"document.querySelector('#neighbours li').dataset.id !== '{want[0]['id']}'",
        timeout=TIMEOUT_MS,
    )
    if os.environ.get("EMBEDLAB_WRITE_SCREENSHOT") == "1":
        click_point(page, index)
        page.wait_for_function(
            f"window.__explorer.state().p === '{pid}' && "
            "document.querySelectorAll('#neighbours li').length === 10"
        )
        page.mouse.move(5, 5)
        page.wait_for_timeout(300)
        (ROOT / "docs" / "img").mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ROOT / "docs" / "img" / "explorer.png"))


def test_search_highlights_the_endpoints_matches(home, api):
    page, _ = home
    n = page.evaluate("window.__explorer.count()")
    url = f"/collections/{FASTRP}/projections/{job_id(page)}/search"
    # an exact id
    page.fill("#search", "4242")
    page.press("#search", "Enter")
    page.wait_for_function("!document.getElementById('search-info').hidden", timeout=TIMEOUT_MS)
    want = api.post(url, json={"q": "4242", "by": "auto", "limit": 100}).json()["result"]
    assert want["by"] == "id"
    assert page.text_content("#match-count") == str(len(want["indices"])) == "1"
    # payload text: labels containing "7" (7, 17, 27, 37)
    page.select_option("#search-by", "payload")
    page.wait_for_function(
        "document.getElementById('search-info').lastChild.textContent.includes('payload')",
        timeout=TIMEOUT_MS,
    )
    want = api.post(url, json={"q": "4242", "by": "payload", "limit": 100}).json()["result"]
    assert page.text_content("#match-count") == str(len(want["indices"]))
    page.fill("#search", "7")
    page.press("#search", "Enter")
    want = api.post(url, json={"q": "7", "by": "payload", "limit": 100}).json()["result"]
    assert len(want["indices"]) > 100
    page.wait_for_function(
        f"document.getElementById('match-count').textContent === '{len(want['indices'])}'",
        timeout=TIMEOUT_MS,
    )
    # the matches are drawn in colour, the rest greyed (still drawn)
    assert page.evaluate("window.__explorer.emphasised()") == len(want["indices"])
    assert page.evaluate(PIXELS, "canvas-a")[0] > 2000
    assert page.evaluate("window.__explorer.state().q") == "7"
    page.press("#search", "Escape")
    page.wait_for_function("document.getElementById('search-info').hidden")
    assert page.evaluate("window.__explorer.emphasised()") == n
    assert page.evaluate("window.__explorer.state().q") == ""
    page.select_option("#search-by", "auto")


def test_url_round_trip(browser, server, ex):
    context, page, log = ex.open_page(browser, server + HOME)
    painted(page)
    box = page.locator("#canvas-a").bounding_box()
    # zoom around a point, pan, box-select, click a point, search
    page.mouse.move(box["x"] + box["width"] * 0.4, box["y"] + box["height"] * 0.55)
    page.mouse.wheel(0, -400)
    page.wait_for_timeout(100)
    drag(page, "#canvas-a", 300, 300, 360, 270)
    page.click("#mode-box")
    drag(page, "#canvas-a", 200, 200, 420, 380)
    n_sel = int(page.text_content("#selection-count"))
    assert n_sel > 0
    page.click("#mode-pan")
    index = page.evaluate(ISOLATED, 5)
    pid = click_point(page, index)
    page.fill("#search", "3")
    page.press("#search", "Enter")
    page.wait_for_function(
        f"window.__explorer.state().p === '{pid}' && "
        "document.querySelectorAll('#neighbours li').length === 10 && "
        "!document.getElementById('search-info').hidden",
        timeout=TIMEOUT_MS,
    )
    page.wait_for_timeout(400)  # the camera is written to the URL 200 ms after the last move
    state = page.evaluate("window.__explorer.state()")
    assert state["cam"] is not None
    assert state["cam"][2] > 1  # zoomed in
    assert len(state["sel"]) == n_sel
    assert state["p"] == pid
    assert state["q"] == "3"
    url = page.evaluate("location.href")
    where = page.evaluate(f"window.__explorer.screenOf({index})")
    context2, page2, log2 = ex.open_page(browser, url)
    painted(page2)
    page2.wait_for_function(
        "document.querySelectorAll('#neighbours li').length === 10 && "
        "!document.getElementById('search-info').hidden",
        timeout=TIMEOUT_MS,
    )
    assert page2.evaluate("window.__explorer.state()") == state
    assert page2.evaluate("location.hash") == page.evaluate("location.hash")
    again = page2.evaluate(f"window.__explorer.screenOf({index})")
    assert again["x"] == pytest.approx(where["x"], abs=0.05)
    assert again["y"] == pytest.approx(where["y"], abs=0.05)
    assert page2.text_content("#selection-count") == str(n_sel)
    assert page2.text_content("#match-count") == page.text_content("#match-count")
    assert neighbour_ids(page2) == neighbour_ids(page)
    for c, lg in ((context, log), (context2, log2)):
        lg.check()
        c.close()


def test_compare_two_embeddings(browser, server, api, ex):
    context, page, log = ex.open_page(browser, f"{server}{HOME}&cmp={DEEPWALK}")
    painted(page, compare=True)
    page.wait_for_function("!document.getElementById('compare-info').hidden", timeout=TIMEOUT_MS)
    pixels, _ = page.evaluate(PIXELS, "canvas-b")
    assert pixels > 2000, pixels
    body = {
        "a": {"collection": FASTRP, "projection": job_id(page, "a")},
        "b": {"collection": DEEPWALK, "projection": job_id(page, "b")},
        "k": 10,
    }
    want = api.post("/compare", json=body).json()["result"]
    assert page.text_content("#mean-agreement") == f"{want['mean_agreement']:.3f}"
    assert 0.05 < want["mean_agreement"] < 0.5  # chance: 10 / 10,312
    # linked selection: a box on the left map highlights the same ids on the right one
    page.click("#mode-box")
    drag(page, "#canvas-a", 150, 150, 330, 330)
    n_sel = int(page.text_content("#selection-count"))
    assert n_sel > 0
    assert page.evaluate("window.__explorer.emphasised('a')") == n_sel
    assert page.evaluate("window.__explorer.emphasised('b')") == n_sel
    # colour by the per-point agreement: a continuous ramp 0..1
    page.select_option("#color", "@agreement")
    page.wait_for_selector("#legend .bar")
    assert page.text_content("#legend-min") == "0.000"
    assert page.text_content("#legend-max") == "1.000"
    assert page.evaluate("window.__explorer.state().color") == "@agreement"
    log.check()
    context.close()


def inside(x: float, y: float, poly: list[float]) -> bool:
    """Even-odd ray casting (poly: flat x0, y0, x1, y1, ...)."""
    hit = False
    m = len(poly)
    j = m - 2
    for i in range(0, m, 2):
        xi, yi, xj, yj = poly[i], poly[i + 1], poly[j], poly[j + 1]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            hit = not hit
        j = i
    return hit


def test_lasso_then_export_a_box_selection_as_csv(browser, server, tmp_path, ex):
    context, page, log = ex.open_page(browser, server + HOME)
    painted(page)
    # a lasso (a concave pentagon): the selection is the points inside it on screen
    page.click("#mode-lasso")
    box = page.locator("#canvas-a").bounding_box()
    path = [(200, 150), (600, 180), (420, 300), (640, 480), (230, 520)]
    page.mouse.move(box["x"] + path[0][0], box["y"] + path[0][1])
    page.mouse.down()
    for x, y in path[1:]:
        page.mouse.move(box["x"] + x, box["y"] + y, steps=4)
    page.mouse.up()
    poly = page.evaluate("window.__explorer.lastLasso")
    assert len(poly) >= 10
    pos = page.evaluate(
        "() => Array.from({length: window.__explorer.count()}, (_, i) => window.__explorer.screenOf(i))"
    )
    want = sorted(str(p["id"]) for p in pos if inside(p["x"], p["y"], poly))
    got = page.evaluate("window.__explorer.state().sel")
    assert len(want) > 100
    assert got == want
    assert page.text_content("#selection-count") == str(len(want))
    assert page.evaluate("window.__explorer.emphasised()") == len(want)
    # then a box (replacing the lasso's selection), exported as CSV
    page.click("#mode-box")
    drag(page, "#canvas-a", 250, 250, 450, 400)
    selected = page.evaluate("window.__explorer.state().sel")
    assert int(page.text_content("#selection-count")) == len(selected) > 0
    with page.expect_download() as info:
        page.click("#export-csv")
    download = info.value
    assert download.suggested_filename == f"{FASTRP}-selection.csv"
    path = tmp_path / "sel.csv"
    download.save_as(path)
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert sorted(r["id"] for r in rows) == sorted(selected)
    assert all(r["label"] for r in rows)
    log.check()
    context.close()


@pytest.mark.parametrize(
    ("fragment", "status", "message"),
    [
        ("#c=nope", 404, r"404: .*`nope`"),
        (f"#c={FASTRP}&color=nope", 404, r"no payload column 'nope'"),
        (f"#c={FASTRP}&n=10000000", 422, r"422: .*1,?000,?000"),
    ],
    ids=["unknown-collection", "unknown-column", "too-many-points"],
)
def test_bad_input_shows_the_servers_message(browser, server, ex, fragment, status, message):
    context, page, log = ex.open_page(browser, f"{server}/explore{fragment}")
    page.wait_for_selector("#error:not([hidden])", timeout=TIMEOUT_MS)
    text = page.text_content("#error-text")
    assert re.search(message, text), text
    assert page.is_visible("#toolbar")  # the page, not a blank screen
    if "color" in fragment:  # the map is still drawn, uncoloured
        page.wait_for_function("window.__explorer.firstPaintMs > 0", timeout=TIMEOUT_MS)
        painted_px = page.evaluate(PIXELS, "canvas-a")[0]
        assert painted_px > 2000
    log.check(allow_statuses=(status,))
    context.close()


def test_max_points_samples_the_map(browser, server, ex):
    context, page, log = ex.open_page(browser, f"{server}{HOME}&n=2000")
    painted(page)
    assert page.evaluate("window.__explorer.count()") == 2000
    quality = page.text_content("#quality-a")
    assert "2,000 of 10,312 points (random sample)" in quality
    assert re.search(r"trustworthiness 0\.\d{3}, kNN overlap 0\.\d{3}", quality), quality
    assert page.input_value("#max-points") == "2000"
    log.check()
    context.close()


def test_no_colouring_and_a_malformed_link_survive_a_reload(browser, server, ex):
    # "color=-" is "no colouring, chosen": not replaced by the first categorical column;
    # "q=100%" cannot be percent-decoded: that field is skipped, the page still works
    context, page, log = ex.open_page(browser, f"{server}/explore#c={ex.FASTRP}&color=-&q=100%")
    page.wait_for_function(
        "window.__explorer && window.__explorer.firstPaintMs > 0", timeout=TIMEOUT_MS
    )
    assert page.text_content("#legend") == "no colouring"
    assert page.evaluate("window.__explorer.state().color") == "-"
    assert page.input_value("#color") == ""
    page.select_option("#color", "label")
    page.wait_for_function("window.__explorer.state().color === 'label'", timeout=TIMEOUT_MS)
    page.select_option("#color", "")
    page.wait_for_function("window.__explorer.state().color === '-'", timeout=TIMEOUT_MS)
    assert "color=-" in page.evaluate("location.hash")
    log.check()
    context.close()


def test_a_quickly_withdrawn_compare_leaves_no_trace(browser, server, ex):
    context, page, log = ex.open_page(browser, server + HOME)
    painted(page)
    page.select_option("#compare", ex.DEEPWALK)
    page.select_option("#compare", "")  # before DeepWalk's map and /compare have answered
    page.wait_for_timeout(1500)  # their replies arrive and must be dropped
    assert page.is_hidden("#map-b") and page.is_hidden("#compare-info")
    assert page.evaluate("window.__explorer.state().cmp") is None
    assert page.is_hidden("#error")
    log.check()
    context.close()
