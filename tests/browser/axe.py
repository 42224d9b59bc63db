"""``check_axe(page)``: axe-core run in the page, zero violations allowed at any impact; ``check_page`` checks the page
at desktop width, at 200 % zoom and at 320 px (WCAG 1.4.10 reflow: no sideways scrolling) and saves screenshots.

axe is injected through the DevTools protocol (``page.evaluate``), which the page's Content-Security-Policy does
not govern: the policy stays enforced for everything the page itself loads.
"""

from __future__ import annotations

import json
from pathlib import Path

AXE_FILE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
# A 1280 px window at 200 % zoom lays out like a 640 px one; 320 px is WCAG 1.4.10's reflow width (400 %).
WIDTHS = {"desktop": (1280, 800), "zoom200": (640, 400), "320": (320, 640)}

_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, url: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target.join(" "), html: n.html.slice(0, 300), why: n.failureSummary}))}));
}"""


def _inject(page) -> None:  # noqa: ANN001
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_FILE.read_text(encoding="utf-8") + "\n;undefined")


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}\n  {v['url']}")
        for node in v["nodes"]:
            lines.append(f"    at {node['target']}\n      {node['html']}\n      "
                         + node["why"].replace("\n", "\n      "))
    return "\n".join(lines)


def check_axe(page, label: str = "") -> None:  # noqa: ANN001
    """Fail with every violation, its rule, help link, and each offending element, if axe finds any."""
    _inject(page)
    violations = page.evaluate(_RUN, list(TAGS))
    where = f"{label or page.url}: " if violations else ""
    assert violations == [], f"{where}axe found {len(violations)} violation(s):\n{describe_violations(violations)}" \
        + f"\n(raw: {json.dumps(violations)[:2000]})"


def screenshot(page, name: str, width_name: str) -> Path:  # noqa: ANN001
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}-{width_name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def check_page(page, name: str) -> None:  # noqa: ANN001
    """The page as it is now, at desktop width, at 200 % zoom and at 320 px: axe clean, no sideways scroll,
    a screenshot of each."""
    for width_name, (width, height) in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        check_axe(page, f"{name} at {width_name}")
        overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{name} at {width_name}: the page scrolls sideways by {overflow}px (reflow)"
        screenshot(page, name, width_name)
    page.set_viewport_size({"width": WIDTHS["desktop"][0], "height": WIDTHS["desktop"][1]})
