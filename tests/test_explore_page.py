"""The explorer's offline page (``graddescent explore``): what it stores is the package's paths,
and in a real headless browser (Debian's chromium, driven by playwright) every control redraws
the figure, with no network request and no script error.

Without a browser or playwright the browser tests are skipped, saying why; under CI (the
environment variable CI set, as ``.ci/run`` runs) they fail instead, since CI installs both.
"""

import io
import os
import tempfile
from contextlib import redirect_stdout

import numpy as np
import pytest

import graddescent as gd
from graddescent import drivers
from graddescent.cli import main
from graddescent.explorer import page as explorer_page
from graddescent.explorer.problem import Problem, example

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def scaled_example():
    return gd.varianceScaling(example()).scaledDataSet


def stored(meta, numbers, method, variant, a, u, seed):
    """A run's path, loss above least squares and step sizes, as the page stores them."""
    key = f"{method}|{variant}"
    offset, diverged = meta["runs"][f"{key}|{a}|{u}|{seed}"]
    rows, n = len(meta["pairs"][key]["iterations"]), len(meta["names"])
    theta = numbers[offset: offset + rows * n].reshape(rows, n)
    gap = numbers[offset + rows * n: offset + rows * (n + 1)]
    rates = numbers[offset + rows * (n + 1): offset + rows * (2 * n + 1)].reshape(rows, n) \
        if meta["pairs"][key]["rates"] else None
    return theta, gap, rates, diverged


@pytest.fixture(scope="module")
def default_page(tmp_path_factory):
    """The page with every default, written by the command (about 5 seconds)."""
    path = tmp_path_factory.mktemp("page") / "explore.html"
    assert main(["explore", "-o", str(path), "--quiet"]) == 0
    return path


def test_the_default_page_is_whole_and_under_its_limit(default_page):
    size = default_page.stat().st_size
    assert size < explorer_page.MAX_BYTES
    assert size <= explorer_page.estimate(Problem()), "the estimate that refuses a page is an upper bound"
    text = default_page.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")
    for outside in ("http://", "https://", "src=", "<link"):
        assert outside not in text.replace("http://www.w3.org/2000/svg", ""), f"the page refers to {outside}"
    meta, numbers = explorer_page.decode(text)
    assert len(meta["runs"]) == sum(  # every method and variant at every setting it takes
        (len(meta["alphas"]) if "alpha" in rec.control else 1) * (len(meta["momenta"]) if "momentum" in rec.control
                                                                  else 1) * meta["seeds"] * len(rec.variants)
        for rec in gd.catalog.METHODS.values())


@pytest.mark.parametrize("method, variant, a, u, seed", [("GD", "R", 6, 0, 1), ("MGD", "R", 3, 4, 2),
                                                         ("SGD", "R", 2, 0, 5), ("ADAM", "amsgrad", 1, 0, 3),
                                                         ("RMSPROP", "textbook", 0, 5, 4), ("ADADELTA", "R", 0, 2, 1),
                                                         ("SSGD", "R", 7, 0, 2)])
def test_the_page_stores_the_package_paths(default_page, method, variant, a, u, seed):
    meta, numbers = explorer_page.decode(default_page.read_text(encoding="utf-8"))
    theta, gap, rates, diverged = stored(meta, numbers, method, variant, a, u, seed)
    record = gd.catalog.METHODS[method]
    control = {k: v for k, v in {"alpha": meta["alphas"][a], "momentum": meta["momenta"][u]}.items()
               if k in record.control}
    per_pass = 100 if record.by_row else 1
    fit = drivers.run(method, scaled_example(), seed=seed, maxIter=30 * per_pass, variant=variant,
                      path_every=20 if record.by_row else 1, **control)
    with np.errstate(over="ignore"):
        assert theta.tobytes() == fit.path.to_numpy().astype(np.float32).tobytes()
        if rates is not None:
            assert rates.tobytes() == fit.rates.to_numpy().astype(np.float32).tobytes()
    assert meta["pairs"][f"{method}|{variant}"]["iterations"] == fit.path.index.tolist()
    assert diverged == fit.diverged
    problem = Problem()
    last = problem.data.mean_squared_residual(np.ascontiguousarray(fit.path.to_numpy()[-1])) - problem.best
    if np.isfinite(last) and last < 1e30:
        assert gap[-1] == np.float32(max(last, problem.best * 1e-16))


def test_explore_writes_to_standard_output_and_reads_a_csv(tmp_path):
    data = tmp_path / "co2.csv"
    gd.datasets.load("co2_compressibility").to_csv(data, index=False)
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["explore", str(data), "-o", "-", "--passes", "2", "--seeds", "1", "--alphas", "0.1,0.5",
                     "--momenta", "0.9", "--coefficients", "(Intercept),Pressure(ATM)", "--quiet"]) == 0
    meta, numbers = explorer_page.decode(out.getvalue())
    assert meta["names"] == ["(Intercept)", "Temperature(K)", "Pressure(ATM)"] and meta["pair"] == [0, 2]
    assert meta["alphas"] == [0.1, 0.5] and meta["momenta"] == [0.9] and meta["seeds"] == 1
    scaled = gd.varianceScaling(gd.datasets.load("co2_compressibility")).scaledDataSet
    theta = stored(meta, numbers, "SVRG", "R", 1, 0, 1)[0]
    fit = drivers.run("SVRG", scaled, seed=1, alpha=0.5, maxIter=2, path_every=1)
    assert theta.tobytes() == fit.path.to_numpy().astype(np.float32).tobytes()


@pytest.mark.parametrize("args, message", [
    (["--coefficients", "x1,z"], "no coefficient 'z'; the coefficients are '(Intercept)', 'x1', 'x2'"),
    (["--coefficients", "x1"], "--coefficients takes two names"),
    (["--passes", "1000", "--seeds", "20"], "the page would take about"),
    (["--alphas", "0.1,-1"], "must be a finite number"),
    (["--sep", ";"], "--sep read DATA.csv"),
])
def test_a_bad_explore_is_one_line_and_writes_nothing(tmp_path, capsys, args, message):
    out = tmp_path / "page.html"
    try:
        code = main(["explore", "-o", str(out), *args])
    except SystemExit as exc:  # (argparse's refusal of an option's value)
        code = exc.code
    assert code == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and err.startswith("graddescent: error: ")
    assert not out.exists()


# --------------------------------------------------------------------------- in a browser

def _browser_or_reason():
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install '.[test]')"
    if not os.path.exists(CHROMIUM):
        return f"no browser at {CHROMIUM} (Debian: apt-get install chromium)"
    return None


@pytest.fixture(scope="module")
def chromium():
    """Headless chromium with a fresh profile (skipped without it, but under CI)."""
    reason = _browser_or_reason()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"CI runs the browser test, but {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="explore-profile-") as profile, sync_playwright() as p:
        context = p.chromium.launch_persistent_context(profile, executable_path=CHROMIUM, headless=True, args=FLAGS,
                                                       viewport={"width": 1150, "height": 1000})
        yield context
        context.close()


def open_alone(context, path):
    """A page of ``path`` in which every request but for the file itself is refused and
    recorded, and script errors are recorded: (page, requests, errors)."""
    url = path.as_uri()
    requests, errors = [], []
    page = context.new_page()

    def route(r):
        if r.request.url == url:
            r.continue_()
        else:
            requests.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    page.on("console", lambda m: errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.goto(url)
    return page, requests, errors


@pytest.fixture(scope="module")
def browser_page(chromium, default_page):
    page, requests, errors = open_alone(chromium, default_page)
    page.wait_for_function("window.graddescentExplorer !== undefined")
    yield page, requests, errors
    assert requests == [], "the page asked the network"
    assert errors == []


def _drawing(page):
    return page.inner_html("#drawing")


def _moved(page, act):
    before = _drawing(page)
    act()
    after = _drawing(page)
    return after != before


def test_every_control_redraws_the_page(browser_page):
    page, requests, errors = browser_page
    page.select_option("#mode", "one")
    page.select_option("#method", "MGD")
    for slider, value in (("#alpha", "0"), ("#momentum", "0"), ("#seed", "4"), ("#position", "2")):
        page.focus(slider)
        assert _moved(page, lambda: page.keyboard.press("ArrowLeft" if slider == "#position" else "ArrowRight")), \
            f"moving {slider} with the keyboard did not redraw"
        assert _moved(page, lambda: page.locator(slider).fill(value)), f"setting {slider} did not redraw"
    assert _moved(page, lambda: page.select_option("#method", "ADAM")), "choosing another method did not redraw"
    assert _moved(page, lambda: page.select_option("#variant", "textbook")), "choosing a variant did not redraw"
    assert page.locator(".step-bar").count() == 3, "the adaptive methods draw each coefficient's step"
    assert _moved(page, lambda: page.click("#back"))
    assert _moved(page, lambda: page.click("#forward"))
    before = _drawing(page)
    page.click("#play")
    page.wait_for_function(f"document.getElementById('drawing').innerHTML.length !== {len(before)} || "
                           "document.getElementById('position').value !== '" + page.input_value("#position") + "'")
    page.click("#play")  # (pause)
    assert _drawing(page) != before, "play did not move"
    assert _moved(page, lambda: page.select_option("#mode", "race")), "the race did not draw"
    assert page.locator(".path-so-far").count() == 5
    assert _moved(page, lambda: page.uncheck("#race-SVRG"))
    assert page.locator(".path-so-far").count() == 4
    assert requests == [] and errors == []


def test_the_page_draws_the_package_numbers(browser_page):
    page, requests, errors = browser_page
    page.select_option("#mode", "one")
    page.select_option("#method", "MGD")
    page.locator("#alpha").fill("4")
    page.locator("#momentum").fill("3")
    page.locator("#seed").fill("2")
    page.locator("#position").fill("9")
    shown = page.evaluate("window.graddescentExplorer.current()")
    fit = drivers.run("MGD", scaled_example(), seed=2, alpha=0.2, momentum=0.9, maxIter=30, path_every=1)
    theta = np.array(shown["runs"][0]["theta"], dtype=np.float32).reshape(-1, 3)
    assert theta.tobytes() == fit.path.to_numpy().astype(np.float32).tobytes()
    assert shown["position"] == 9 and shown["runs"][0]["alpha"] == 0.2 and shown["runs"][0]["momentum"] == 0.9
    status = page.inner_text("#status")
    assert f"x1 {float(np.float32(fit.path.iloc[9, 1])):.4g}" in status and "after 9 iterations" in status
    assert requests == [] and errors == []


def test_every_control_has_a_label(browser_page):
    page, _, _ = browser_page
    unlabelled = page.evaluate("""Array.from(document.querySelectorAll('input, select, button'))
        .filter((e) => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.textContent.trim())
        .map((e) => e.id)""")
    assert unlabelled == []
    assert page.evaluate("Array.from(document.querySelectorAll('input[type=range]')).map((e) => e.id)") == [
        "alpha", "momentum", "seed", "position"]


def test_a_page_that_asks_the_network_is_caught(chromium, tmp_path):
    """The checks above can fail: a page that loads an image from the network is seen asking,
    and its script error is seen."""
    path = tmp_path / "bad.html"
    path.write_text('<img src="http://example.invalid/x.png"><script>undefinedFunction()</script>')
    page, requests, errors = open_alone(chromium, path)
    page.wait_for_timeout(300)
    page.close()
    assert requests == ["http://example.invalid/x.png"]
    assert "page error: undefinedFunction is not defined" in errors
