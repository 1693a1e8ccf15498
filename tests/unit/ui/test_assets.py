"""The Data Docs' assets: every CDN URL GE's templates write is vendored, and a rewritten page
loads nothing from elsewhere."""
from __future__ import annotations

import re
from pathlib import Path

from filegate.ui import assets


def ge_template_urls() -> set[str]:
    import great_expectations

    templates = Path(great_expectations.__file__).parent / "render" / "view" / "templates"
    found = set()
    for template in templates.glob("*.j2"):
        found |= set(re.findall(r"(?:src|href)=\"(https://[^\"]+)\"", template.read_text()))
    return {u for u in found if not u.startswith("https://greatexpectations.io")}   # links, not loads


def test_every_asset_ge_loads_from_a_cdn_is_in_the_manifest():
    assert ge_template_urls() <= {a.url for a in assets.ASSETS}


def test_every_asset_of_the_manifest_was_fetched():
    # `make venv` fetches them; this fails on a checkout where that did not happen
    assert assets.missing() == []
    for asset in assets.ASSETS:
        assert (assets.VENDOR / asset.local).stat().st_size > 100, asset.local
    assert list((assets.VENDOR / "@fortawesome/fontawesome-free@6.6.0" / "webfonts").glob("*.woff2"))


def test_a_rewritten_page_loads_only_from_the_plugin():
    page = "\n".join(f'<script src="{a.url}"></script><link rel="stylesheet" href="{a.url}">' for a in assets.ASSETS)
    page += ('<img src="https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/logo-long.png?d=20261124T1">'
             "<style>.x { background: url('https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/"
             "full_logo_dark.png') }</style><script src=\"https://cdn.example.org/new.js\"></script>"
             '<iframe src="//tracker.example.org/x"></iframe><a href="https://greatexpectations.io">GX</a>')
    out = assets.rewrite(page, "/filegate/static/vendor", "/filegate/datasets/smrt/docs")
    loads = re.findall(r"<(?:script|link|img|iframe)\b[^>]*?\s(?:src|href)=\"([^\"]+)\"", out)
    assert loads and all(u.startswith("/filegate/") or u == "about:blank" for u in loads), loads
    assert "/filegate/static/vendor/jquery@3.7.1/dist/jquery.min.js" in out
    assert out.count("/filegate/datasets/smrt/docs/static/images/logo-long.png") == 2
    assert "example.org" not in out.replace('href="https://greatexpectations.io"', "")
    assert '<a href="https://greatexpectations.io">' in out   # a link a user clicks is left alone
