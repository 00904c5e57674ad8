#!/usr/bin/env python3
"""Loads every page of the course's website in headless Chromium and checks what a reader would see.

For each page: every image loads (the browser's naturalWidth, not a file test), every internal link
reaches an existing page and, where it names one, an element with that id; the page fetches nothing
from the network (no remote script, style sheet or image); math is MathML (where the page's book
source has math, the page has <math> elements, and no raw TeX is left in the text: no $...$, no
\\command, no <merror>). Writes a screenshot of one chapter page and a report into --out.
Exit status: 0 all pages pass, 1 a check failed, 2 bad usage (no browser, no site).
Usage: check_site.py SITE --out DIR [--book DIR] [--screenshot PAGE]
"""
import argparse
import html.parser
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.parse

# Run in the page once everything has loaded: the browser's own view of images and math.
PROBE = """<script>
window.addEventListener('load', () => {
  const problems = [];
  for (const img of document.images)
    if (!img.complete || img.naturalWidth === 0) problems.push('missing image: ' + img.getAttribute('src'));
  for (const e of document.getElementsByTagName('merror')) problems.push('MathML error: ' + e.textContent);
  const shown = [...document.getElementsByTagName('math')].filter(m => !m.closest('details:not([open])'));
  const flat = shown.filter(m => m.getBoundingClientRect().width === 0).length;
  if (flat > 0) problems.push(flat + ' MathML element(s) drawn with no width');
  const out = document.createElement('pre');
  out.id = 'site-check-result';
  out.textContent = JSON.stringify({problems: problems, images: document.images.length,
                                    math: document.getElementsByTagName('math').length});
  document.body.appendChild(out);
});
</script>"""

RESULT = re.compile(r'<pre id="site-check-result">(.*?)</pre>', re.S)
TEX_IN_TEXT = [
    (re.compile(r"\$\$|\$[^$\s][^$]*\$"), "raw TeX math ($...$)"),
    (re.compile(r"\\(?:[a-zA-Z]{2,}|[()\[\]])"), "raw TeX command"),
]
MATH_IN_SOURCE = re.compile(r"(?<![\\$])\$[^$\s][^$]*\$|\$\$")


class Page(html.parser.HTMLParser):
    """What the checks need of a page: ids, internal links, resources, and the text outside code and math."""

    SKIP_TEXT = {"code", "pre", "math", "script", "style", "title"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids, self.links, self.resources, self.text, self.math = set(), [], [], [], 0
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "a" and a.get("name"):
            self.ids.add(a["name"])
        if tag == "a" and a.get("href") is not None:
            self.links.append(a["href"])
        for key in ("src", "srcset") if tag in ("img", "script", "iframe", "source", "video", "audio") else ():
            if a.get(key):
                self.resources.append(a[key])
        if tag == "link" and a.get("href"):
            self.resources.append(a["href"])
        if tag == "math":
            self.math += 1
        if tag in self.SKIP_TEXT:
            self.skip += 1

    def handle_endtag(self, tag):
        if tag in self.SKIP_TEXT and self.skip > 0:
            self.skip -= 1

    def handle_data(self, data):
        if self.skip == 0:
            self.text.append(data)


def browser():
    for name in ("chromium-headless-shell", "chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


def run_browser(exe, profile, args, timeout=90):
    return subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                           "--user-data-dir=" + profile, *args],
                          capture_output=True, text=True, timeout=timeout)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("site")
    ap.add_argument("--out", required=True, help="the test's output folder (screenshot, report)")
    ap.add_argument("--book", help="the pages' Markdown sources (chNN.md): pages whose source has math must have MathML")
    ap.add_argument("--screenshot", help="the page to photograph (default: the first chapter page)")
    opt = ap.parse_args()

    site = os.path.abspath(opt.site)
    pages = sorted(f for f in os.listdir(site) if f.endswith(".html")) if os.path.isdir(site) else []
    if not pages:
        print(f"check_site: error: site: no pages in '{opt.site}'", file=sys.stderr)
        return 2
    exe = browser()
    if not exe:
        print("check_site: error: browser: no headless Chromium (apt-get install chromium-headless-shell; "
              "scripts/install-deps.sh installs it)", file=sys.stderr)
        return 2
    os.makedirs(opt.out, exist_ok=True)
    scratch = tempfile.mkdtemp(prefix="check_site.")
    failures, report, parsed = [], [], {}
    try:
        # 1. every page in the browser, the probe added to a copy that reads the site's own files
        for name in pages:
            with open(os.path.join(site, name), encoding="utf-8") as f:
                source = f.read()
            base = '<base href="file://' + urllib.parse.quote(site + "/") + '">'
            probed = re.sub(r"<head([^>]*)>", lambda m: "<head" + m.group(1) + ">" + base, source, count=1)
            probed = probed.replace("</body>", PROBE + "</body>") if "</body>" in probed else probed + PROBE
            copy = os.path.join(scratch, name)
            with open(copy, "w", encoding="utf-8") as f:
                f.write(probed)
            done = run_browser(exe, os.path.join(scratch, "profile"),
                               ["--virtual-time-budget=10000", "--dump-dom", "file://" + copy])
            m = RESULT.search(done.stdout)
            if not m:
                failures.append(f"{name}: the page did not finish loading in the browser "
                                f"({done.stderr.strip().splitlines()[-1:] or 'no message'})")
                continue
            result = json.loads(m.group(1).replace("&quot;", '"').replace("&amp;", "&")
                                .replace("&lt;", "<").replace("&gt;", ">"))
            failures += [f"{name}: {p}" for p in result["problems"]]
            page = Page()
            page.feed(done.stdout[:m.start()] + done.stdout[m.end():])
            parsed[name] = page
            report.append(f"{name}: {result['images']} images, {result['math']} MathML, {len(page.links)} links")

        # 2. links, resources and math, from the pages as the browser built them
        for name, page in parsed.items():
            for href in page.links:
                url = urllib.parse.urlsplit(href)
                if url.scheme in ("http", "https", "mailto"):
                    continue
                if url.scheme:
                    failures.append(f"{name}: link to '{href}' (a {url.scheme}: link leaves the site)")
                    continue
                target = name if not url.path else os.path.normpath(urllib.parse.unquote(url.path))
                if target.startswith("..") or not os.path.isfile(os.path.join(site, target)):
                    failures.append(f"{name}: broken link '{href}' (no file {target} in the site)")
                    continue
                frag = urllib.parse.unquote(url.fragment)
                if frag and target in parsed and frag not in parsed[target].ids:
                    failures.append(f"{name}: broken link '{href}' (no id '{frag}' in {target})")
            for res in page.resources:
                if urllib.parse.urlsplit(res).scheme not in ("", "file", "data"):
                    failures.append(f"{name}: fetches '{res}' from the network")
            text = "".join(page.text)
            for pattern, what in TEX_IN_TEXT:
                hit = pattern.search(text)
                if hit:
                    failures.append(f"{name}: {what} in the text: '{text[max(0, hit.start() - 30):hit.end() + 30].strip()}'")
            if opt.book:
                src = os.path.join(opt.book, name[:-5] + ".md")
                if os.path.isfile(src):
                    with open(src, encoding="utf-8") as f:
                        has_math = MATH_IN_SOURCE.search(re.sub(r"`[^`]*`", "", f.read()))
                    if has_math and page.math == 0:
                        failures.append(f"{name}: its source has math ('{has_math.group(0)[:40]}') but the page has no MathML")

        # 3. the screenshot a reader would see
        shot_page = opt.screenshot or next((p for p in pages if re.match(r"ch\d\d\.html$", p)), pages[0])
        shot = os.path.abspath(os.path.join(opt.out, shot_page[:-5] + ".png"))
        done = run_browser(exe, os.path.join(scratch, "profile"),
                           ["--hide-scrollbars", "--window-size=1200,1800", "--screenshot=" + shot,
                            "file://" + os.path.join(site, shot_page)])
        if not os.path.isfile(shot) or os.path.getsize(shot) == 0:
            failures.append(f"screenshot of {shot_page} not written: {done.stderr.strip()[-300:]}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    report += [f"FAIL: {f}" for f in failures]
    with open(os.path.join(opt.out, "report.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(report) + "\n")
    for line in report:
        print(line)
    print(f"check_site: screenshot of {shot_page}: {shot}")
    print(f"check_site: {len(pages)} pages, {len(failures)} problem(s); report: {os.path.abspath(opt.out)}/report.txt")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
