"""Check the built docs in a real headless browser, with the network off.

Opens pages of a built HTML tree (``file://`` URLs) in Chromium, with every host name made to
fail to resolve, and checks what a reader would see:

* the math is typeset: every ``.math`` element holds MathJax output (``mjx-container``), no
  raw ``\\(`` or ``\\[`` is left in the text, and the MathJax fonts loaded;
* nothing was fetched from the network (every request is a ``file:`` or ``data:`` URL) and
  every requested file loaded;
* every gallery figure (``sphx_glr_*.png``) is legible: its smallest text, recorded in the PNG
  by ``docs/_ext/sparsereg_docs.py``, is at least 9 pt (12 CSS px) on screen at the width the
  page displays the figure, in browser windows 1024 to 1920 px wide (``--figure-widths``; on
  narrower screens the theme shrinks figures to the screen and a reader zooms);

and saves screenshots of the index, the theory page and an API page. It checks every top-level
page, the API page and the gallery's pages. Build, then check::

    python -m sphinx -b html docs docs/_build/html
    python docs/check_rendered.py docs/_build/html --shots /tmp/docs-shots

It needs Chromium (Debian: ``apt-get install chromium``); ``tests/test_docs_rendered.py`` runs
it on the test suite's build when Chromium is installed. Exit status: 0 when every check passes, 1
when one fails (each failure is printed), 2 for bad input.
"""

import argparse
import base64
import json
import os
import select
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

#: Pages that are screenshotted (the index, the theory page, an API page).
SHOT_PAGES = ("index.html", "theory.html", "generated/sparsereg.L1Regressor.html")
#: Pages that must contain math (no API page does: the docstrings write formulas as code).
MATH_PAGES = ("index.html", "theory.html")
#: The pages checked: these globs in the build, plus SHOT_PAGES.
PAGE_GLOBS = ("*.html", "auto_*/*.html")
#: Sphinx's own pages, which show no content of ours.
SKIP_PAGES = ("genindex.html", "search.html", "py-modindex.html")
FONT_KEY = "sparsereg:smallest-text"  # as docs/_ext/sparsereg_docs.py writes it
MIN_TEXT_PX = 12.0  # 9 pt at 96 CSS px per inch
# Desktop window widths: the theme's layouts change at 960 and 1200 px (sidebars shown), so
# the narrowest figures come just above those.
FIGURE_WIDTHS = (1024, 1200, 1280, 1366, 1920)
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "chrome")

# Runs in the page once it has loaded: waits for MathJax to finish typesetting (and the fonts
# to load), then reports what is on the page.
MEASURE_JS = r"""
(async () => {
  const within = (p, ms) => Promise.race([p, new Promise(r => setTimeout(() => r("timeout"), ms))]);
  let mathjax = "absent";
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    mathjax = await within(MathJax.startup.promise.then(() => "typeset"), 20000);
  }
  await within(document.fonts.ready, 10000);
  const root = document.querySelector("main") || document.body;
  const maths = [...root.querySelectorAll(".math")];
  // Text outside code, scripts and MathJax's own output: where raw TeX would show.
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {acceptNode: n =>
    n.parentElement.closest("pre, code, script, style, mjx-container")
      ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT});
  const raw = [];
  while (walker.nextNode()) {
    const t = walker.currentNode.textContent;
    const i = t.search(/\\[\(\[]/);
    if (i >= 0) raw.push(t.slice(i, i + 60));
  }
  return {
    mathjax, n_math: maths.length,
    untypeset: maths.filter(m => !m.querySelector("mjx-container")).length,
    raw,
    fonts: [...document.fonts].map(f => [f.family, f.status]),
    images: IMAGES(),
  };
})()
"""
# The images of the page's content with their displayed and natural widths.
IMAGES_JS = r"""
(() => [...(document.querySelector("main") || document.body).querySelectorAll("img")].map(
  i => ({src: i.currentSrc || i.src, shown: i.getBoundingClientRect().width,
         natural: i.naturalWidth, complete: i.complete})))()
"""
MEASURE_JS = MEASURE_JS.replace("IMAGES()", IMAGES_JS.strip())


class Browser:
    """Headless Chromium driven through the DevTools protocol over a pipe.

    Parameters
    ----------
    executable : str
        The Chromium binary.
    timeout : float
        Seconds to wait for any one answer from the browser.
    """

    def __init__(self, executable, timeout=60.0):
        self.timeout = timeout
        self._profile = tempfile.mkdtemp(prefix="check-rendered-")
        to_browser, self._write = os.pipe()
        self._read, from_browser = os.pipe()
        args = [executable, "--headless", "--no-sandbox", "--disable-gpu",
                "--remote-debugging-pipe", f"--user-data-dir={self._profile}",
                # No network: every host name fails to resolve (file:// pages need none).
                "--host-resolver-rules=MAP * ~NOTFOUND",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-extensions", "--hide-scrollbars",
                "--font-render-hinting=none", "about:blank"]
        # Chromium reads commands on fd 3 and writes answers on fd 4.
        self._proc = subprocess.Popen(
            ["sh", "-c", f'exec "$@" 3<&{to_browser} 4>&{from_browser}', "sh", *args],
            pass_fds=(to_browser, from_browser), stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        os.close(to_browser)
        os.close(from_browser)
        self._buffer = b""
        self._next_id = 0
        self.events = []

    def _message(self, deadline):
        """Read one message from the browser, or raise TimeoutError at ``deadline``."""
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._read], [], [], left)[0]:
                raise TimeoutError("Chromium did not answer in time")
            chunk = os.read(self._read, 1 << 20)
            if not chunk:
                err = self._proc.stderr.read().decode(errors="replace")[-2000:]
                raise RuntimeError(f"Chromium exited:\n{err}")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def send(self, method, session=None, **params):
        """Send a command and return its result; events that arrive meanwhile are kept.

        Parameters
        ----------
        method : str
            A DevTools protocol method, such as ``"Page.navigate"``.
        session : str, optional
            The session of the page the command is for (none: the browser).
        **params
            The command's parameters.

        Returns
        -------
        dict
            The command's result.
        """
        self._next_id += 1
        command = {"id": self._next_id, "method": method, "params": params}
        if session:
            command["sessionId"] = session
        os.write(self._write, json.dumps(command).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            message = self._message(deadline)
            if message.get("id") == self._next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message["result"]
            self.events.append(message)

    def wait_event(self, method, session):
        """Wait for an event of a page's session (one that already came counts)."""
        deadline = time.monotonic() + self.timeout
        while True:
            for i, e in enumerate(self.events):
                if e.get("method") == method and e.get("sessionId") == session:
                    return self.events.pop(i)
            self.events.append(self._message(deadline))

    def close(self):
        """End the browser and remove its profile."""
        try:
            self.send("Browser.close")
        except (RuntimeError, TimeoutError, OSError):
            pass
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        os.close(self._read)
        os.close(self._write)
        shutil.rmtree(self._profile, ignore_errors=True)


def png_text(path):
    """The ``tEXt`` chunks of a PNG file, as a dict (empty if it has none or is no PNG)."""
    data = Path(path).read_bytes()
    found, pos = {}, 8
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        return found
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"tEXt" and zlib.crc32(kind + body) == struct.unpack(
                ">I", data[pos + 8 + length:pos + 12 + length])[0]:
            key, _, value = body.partition(b"\0")
            found[key.decode("latin-1")] = value.decode("latin-1")
        pos += 12 + length
    return found


def check_page(browser, html_dir, page, width, shots, figure_widths=FIGURE_WIDTHS):
    """Open one page and return the list of problems found on it.

    Parameters
    ----------
    browser : Browser
    html_dir : pathlib.Path
        The root of the built HTML.
    page : str
        The page, relative to ``html_dir``.
    width : int
        Width of the browser window, in CSS pixels, for the screenshot and the math.
    shots : pathlib.Path or None
        Where to save a full-page screenshot (None: no screenshot).
    figure_widths : sequence of int
        Window widths at which the figures' text size is measured.

    Returns
    -------
    list of str
        One line per problem; empty when the page passes.
    """
    target = browser.send("Target.createTarget", url="about:blank")["targetId"]
    session = browser.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
    for domain in ("Page", "Network", "Runtime"):
        browser.send(f"{domain}.enable", session)
    browser.send("Emulation.setDeviceMetricsOverride", session, width=width, height=900,
                 deviceScaleFactor=1, mobile=False)
    browser.send("Page.navigate", session, url=(html_dir / page).as_uri())
    browser.wait_event("Page.loadEventFired", session)
    answer = browser.send("Runtime.evaluate", session, expression=MEASURE_JS,
                          awaitPromise=True, returnByValue=True)
    if "exceptionDetails" in answer:
        return [f"{page}: the measuring script failed: {answer['exceptionDetails']}"]
    seen = answer["result"]["value"]
    if shots is not None:
        size = browser.send("Page.getLayoutMetrics", session)["cssContentSize"]
        shot = browser.send("Page.captureScreenshot", session, format="png",
                            captureBeyondViewport=True,
                            clip={"x": 0, "y": 0, "width": width, "scale": 1,
                                  "height": min(size["height"], 16000)})
        shots.mkdir(parents=True, exist_ok=True)
        (shots / (page.replace("/", "__").removesuffix(".html") + ".png")).write_bytes(
            base64.b64decode(shot["data"]))
    # The same layout at other window widths: only the figures' displayed sizes change.
    layouts = [(width, seen["images"])]
    for other in figure_widths:
        browser.send("Emulation.setDeviceMetricsOverride", session, width=other, height=900,
                     deviceScaleFactor=1, mobile=False)
        layouts.append((other, browser.send("Runtime.evaluate", session, expression=IMAGES_JS,
                                            returnByValue=True)["result"]["value"]))
    events = [e for e in browser.events if e.get("sessionId") == session]
    browser.events = [e for e in browser.events if e.get("sessionId") != session]
    browser.send("Target.closeTarget", targetId=target)

    problems = []
    requests = {e["params"]["requestId"]: e["params"]["request"]["url"] for e in events
                if e.get("method") == "Network.requestWillBeSent"}
    for url in sorted(set(requests.values())):
        if url.split(":", 1)[0] not in ("file", "data", "blob", "about"):
            problems.append(f"{page}: requested {url[:100]} from the network")
    for e in events:
        if e.get("method") == "Network.loadingFailed":
            url = requests.get(e["params"]["requestId"], "?")
            if url.startswith("file:"):
                problems.append(f"{page}: could not load {url[:120]} "
                                f"({e['params'].get('errorText')})")
    if page in MATH_PAGES and seen["n_math"] == 0:
        problems.append(f"{page}: no math on the page (expected some)")
    if seen["untypeset"]:
        problems.append(f"{page}: {seen['untypeset']} of {seen['n_math']} equations not "
                        f"typeset (MathJax {seen['mathjax']})")
    for text in seen["raw"][:3]:
        problems.append(f"{page}: raw TeX in the text: {text!r}")
    for family, status in seen["fonts"]:
        if family.startswith("MJX") and status == "error":
            problems.append(f"{page}: MathJax font {family} failed to load")
    problems += check_figures(page, layouts)
    return problems


def check_figures(page, layouts):
    """The problems with the gallery figures shown on a page.

    Parameters
    ----------
    page : str
        The page, for the messages.
    layouts : list of (int, list)
        Window widths and, for each, the page's images as ``IMAGES_JS`` reports them.

    Returns
    -------
    list of str
        One line per figure whose text is too small at some width, lacks a record or did not
        load.
    """
    problems, worst = [], {}
    for width, images in layouts:
        for image in images:
            name = image["src"].rsplit("/", 1)[-1]
            if name not in worst or image["shown"] < worst[name][1]["shown"]:
                worst[name] = (width, image)
    for name, (width, image) in worst.items():
        src = image["src"]
        name = src.rsplit("/", 1)[-1]
        if not (src.startswith("file:") and name.startswith("sphx_glr_")
                and name.endswith(".png")) or "_thumb" in name:
            continue  # not a gallery figure (thumbnails are small by design)
        path = Path(src.removeprefix("file://"))
        if not image["complete"] or not image["natural"]:
            problems.append(f"{page}: figure {name} did not load")
            continue
        record = png_text(path).get(FONT_KEY)
        if record is None:
            problems.append(f"{page}: figure {name} has no record of its smallest text "
                            "(not drawn through docs/_ext/sparsereg_docs.py?)")
            continue
        text = json.loads(record)
        on_screen = text["pt"] * text["dpi"] / 72 * image["shown"] / image["natural"]
        if on_screen < MIN_TEXT_PX - 1e-6:
            problems.append(
                f"{page}: figure {name} shown {image['shown']:.0f} px wide (of "
                f"{image['natural']}) in a window {width} px wide: its smallest text, "
                f"{text['text']!r} at {text['pt']:g} pt, is {on_screen:.1f} px high on screen; "
                f"needs >= {MIN_TEXT_PX:g} px (9 pt)")
    return problems


def find_chromium(name=None):
    """The path of the Chromium binary (``name``, or the first of the usual names found)."""
    found = [shutil.which(c) for c in ([name] if name else CHROMIUM_NAMES)]
    return next(filter(None, found), None)


def main(argv=None):
    """Command-line entry point; returns the exit status (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("html", nargs="?", default="docs/_build/html", type=Path,
                        help="the built HTML (default: docs/_build/html)")
    parser.add_argument("--shots", type=Path, help="folder for the screenshots (none if unset)")
    parser.add_argument("--width", type=int, default=1280,
                        help="browser window width in CSS px for the screenshots and the math "
                             "(default 1280)")
    parser.add_argument("--figure-widths", default=",".join(map(str, FIGURE_WIDTHS)),
                        help="comma-separated window widths at which the figures' text is "
                             "measured (default %(default)s)")
    parser.add_argument("--chromium", help="Chromium binary (default: found on PATH)")
    args = parser.parse_args(argv)
    html = args.html.resolve()
    missing = [p for p in SHOT_PAGES if not (html / p).is_file()]
    if missing:
        print(f"error: {html} is not a built sparsereg docs tree (no {missing[0]}); build it "
              "first: python -m sphinx -b html docs docs/_build/html", file=sys.stderr)
        return 2
    try:
        figure_widths = [int(w) for w in args.figure_widths.split(",")]
    except ValueError:
        figure_widths = []
    if not figure_widths or not all(320 <= w <= 4000 for w in [args.width, *figure_widths]):
        print("error: --width and --figure-widths must be (comma-separated) integers between "
              f"320 and 4000, got {args.width} and {args.figure_widths!r}", file=sys.stderr)
        return 2
    chromium = find_chromium(args.chromium)
    if chromium is None:
        print("error: Chromium not found (Debian: apt-get install chromium; or --chromium)",
              file=sys.stderr)
        return 2
    pages = list(SHOT_PAGES) + sorted(
        {str(p.relative_to(html)) for g in PAGE_GLOBS for p in html.glob(g)}
        - set(SHOT_PAGES) - set(SKIP_PAGES))
    browser = Browser(chromium)
    problems = []
    try:
        for page in pages:
            shots = args.shots if page in SHOT_PAGES else None
            found = check_page(browser, html, page, args.width, shots, figure_widths)
            print(f"{'FAIL' if found else 'ok  '} {page}")
            problems += found
    finally:
        browser.close()
    for line in problems:
        print(line)
    print(f"{len(pages)} pages, {len(problems)} problems"
          + (f"; screenshots in {args.shots}" if args.shots else ""))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
