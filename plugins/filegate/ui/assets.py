"""Great Expectations' Data Docs, air-gapped: the pages GE writes load jQuery, Bootstrap,
bootstrap-table, Font Awesome and Vega from public CDNs, so on a server without internet they are
unstyled and their validation list stays empty, and on a connected one every view calls third
parties. The same files, pinned, are fetched once from the npm registry (`make venv` runs this
module) into `vendor/` (not committed), and every page is rewritten on its way to the browser to
load them from the plugin instead.

    python -m filegate.ui.assets     # fetch what is missing (needs npm, once)
"""
from __future__ import annotations

import json
import logging
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

VENDOR = Path(__file__).resolve().parent / "vendor"


@dataclass(frozen=True)
class Asset:
    url: str        # as GE's templates write it
    package: str    # on the npm registry
    version: str
    path: str       # inside the package

    @property
    def local(self) -> str:
        """Its path under vendor/ (and under the plugin's /static/vendor/)."""
        return f"{self.package}@{self.version}/{self.path}"


# The URLs of great_expectations/render/view/templates/*.j2 (GE 1.x), each with the package file a
# CDN serves for it. The SRI hashes GE puts on popper and bootstrap match these bytes.
ASSETS = (
    Asset("https://code.jquery.com/jquery-3.7.1.min.js", "jquery", "3.7.1", "dist/jquery.min.js"),
    Asset("https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js",
          "popper.js", "1.12.9", "dist/umd/popper.min.js"),
    Asset("https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css",
          "bootstrap", "4.3.1", "dist/css/bootstrap.min.css"),
    Asset("https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js",
          "bootstrap", "4.3.1", "dist/js/bootstrap.min.js"),
    Asset("https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/bootstrap-datepicker.min.css",
          "bootstrap-datepicker", "1.9.0", "dist/css/bootstrap-datepicker.min.css"),
    Asset("https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/bootstrap-datepicker.min.js",
          "bootstrap-datepicker", "1.9.0", "dist/js/bootstrap-datepicker.min.js"),
    Asset("https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/bootstrap-prefers-dark.css",
          "@forevolve/bootstrap-dark", "1.1.0", "dist/css/bootstrap-prefers-dark.css"),
    Asset("https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css",
          "@fortawesome/fontawesome-free", "6.6.0", "css/all.min.css"),
    Asset("https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css",
          "bootstrap-table", "1.19.1", "dist/bootstrap-table.min.css"),
    Asset("https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js",
          "bootstrap-table", "1.19.1", "dist/bootstrap-table.min.js"),
    Asset("https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.js",
          "bootstrap-table", "1.19.1", "dist/extensions/filter-control/bootstrap-table-filter-control.min.js"),
    Asset("https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.css",
          "bootstrap-table", "1.19.0", "dist/extensions/filter-control/bootstrap-table-filter-control.css"),
    Asset("https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.min.css",
          "bootstrap-table", "1.19.0", "dist/extensions/filter-control/bootstrap-table-filter-control.min.css"),
    # "@5" is whatever 5.x a CDN serves today: pinned here to the newest of each on 2026-11-24
    Asset("https://cdn.jsdelivr.net/npm/vega@5", "vega", "5.33.1", "build/vega.min.js"),
    Asset("https://cdn.jsdelivr.net/npm/vega-lite@5", "vega-lite", "5.23.0", "build/vega-lite.min.js"),
    Asset("https://cdn.jsdelivr.net/npm/vega-embed@6", "vega-embed", "6.29.0", "build/vega-embed.min.js"),
)
# files a stylesheet above loads by a relative URL
COMPANIONS = {("@fortawesome/fontawesome-free", "6.6.0"): ("webfonts/",)}

# GE's logo, from its S3 bucket; the docs site has a copy of its own under static/images/
_LOGO = re.compile(r"https://great-expectations-web-assets\.s3[\w.-]*\.amazonaws\.com/[\w-]+\.png(?:\?[^\"')\s]*)?")
# anything else a page would load from elsewhere (links a user clicks, <a href>, are left alone)
_EXTERNAL_LOAD = re.compile(r"(<(?:script|link|img|iframe|source|embed|video|audio)\b[^>]*?\s(?:src|href)\s*=\s*[\"'])"
                            r"(?:https?:)?//[^\"']*", re.IGNORECASE)
_EXTERNAL_URL = re.compile(r"(url\(\s*[\"']?)(?:https?:)?//[^\"')]*", re.IGNORECASE)


def packages() -> dict[tuple[str, str], list[str]]:
    """{(package, version): [its files and folders to keep]}."""
    wanted: dict[tuple[str, str], list[str]] = {}
    for a in ASSETS:
        wanted.setdefault((a.package, a.version), []).append(a.path)
    for key, extra in COMPANIONS.items():
        wanted[key].extend(extra)
    return wanted


def missing() -> list[tuple[str, str]]:
    return [key for key, paths in packages().items()
            if not all((VENDOR / f"{key[0]}@{key[1]}" / p).exists() for p in paths)]


def fetch() -> list[str]:
    """Fetch every package not yet complete under vendor/ with `npm pack` (the registry checks
    its integrity), keep only the files the pages use; return the packages fetched."""
    todo = missing()
    if not todo:
        return []
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is needed once to fetch the Data Docs' web assets from the npm registry "
                           "(Debian: apt-get install npm); the pages work without them, but unstyled")
    with tempfile.TemporaryDirectory() as tmp:
        specs = [f"{name}@{version}" for name, version in todo]
        packed = subprocess.run([npm, "pack", "--silent", "--json", "--pack-destination", tmp, *specs],
                                capture_output=True, text=True)
        if packed.returncode != 0:
            raise RuntimeError(f"npm pack {' '.join(specs)} failed: {packed.stderr.strip()[-2000:]}")
        tarballs = [Path(tmp) / p["filename"] for p in json.loads(packed.stdout)]
        wanted = packages()
        for (name, version), tarball in zip(todo, tarballs):
            _unpack(tarball, wanted[(name, version)], VENDOR / f"{name}@{version}")
    return [f"{n}@{v}" for n, v in todo]


def _unpack(tarball: Path, keep: list[str], into: Path) -> None:
    """The kept files of an npm tarball (members under `package/`), into `into` whole or not at all."""
    staging = into.with_name(f".{into.name}.tmp")
    shutil.rmtree(staging, ignore_errors=True)
    with tarfile.open(tarball) as tar:
        for member in tar.getmembers():
            path = member.name.removeprefix("package/")
            if member.isfile() and any(path == k or (k.endswith("/") and path.startswith(k)) for k in keep):
                member.name = path
                tar.extract(member, staging, filter="data")   # the data filter refuses paths leaving staging
    shutil.rmtree(into, ignore_errors=True)
    staging.rename(into)


def rewrite(html: str, vendor_url: str, site_url: str) -> str:
    """A Data Docs page that loads its assets from `vendor_url` and its logo from the site at
    `site_url`, and nothing from anywhere else."""
    for asset in ASSETS:
        html = html.replace(asset.url, f"{vendor_url}/{asset.local}")
    html = _LOGO.sub(f"{site_url}/static/images/logo-long.png", html)
    html, tags = _EXTERNAL_LOAD.subn(r"\1about:blank", html)
    html, urls = _EXTERNAL_URL.subn(r"\1about:blank", html)
    if tags or urls:   # a GE upgrade added a CDN asset: worth adding to ASSETS
        log.warning("Data Docs: %d external reference(s) not in filegate.ui.assets.ASSETS were blanked", tags + urls)
    return html


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        fetched = fetch()
    except RuntimeError as e:
        sys.exit(f"filegate: {e}")
    print(f"• Data Docs assets: fetched {', '.join(fetched)}" if fetched else "• Data Docs assets: all present",
          file=sys.stderr)
