"""Fetch the explorer's JavaScript libraries from the npm registry into kgraph/templates/vendor/.

Usage (from the repository root; ``make vendor`` runs it)::

    python tools/vendor_js.py

``kgraph/templates/vendor/vendor.json`` pins each package (name, version, the tarball's
address and its npm ``integrity``, sha512) and the files taken from it. The tarball is
downloaded, checked against that integrity (a mismatch stops everything), and the listed
files are written with their sha256 recorded, so ``tests/test_vendor.py`` can check the
committed copies offline and a pip install never fetches anything.
"""
from __future__ import annotations

import base64
import hashlib
import io
import json
import sys
import tarfile
import urllib.request
from pathlib import Path

VENDOR = Path(__file__).resolve().parents[1] / "kgraph" / "templates" / "vendor"
MANIFEST = VENDOR / "vendor.json"


def fetch(package: dict) -> dict[str, bytes]:
    """The listed files of one package's tarball (checked against its integrity)."""
    with urllib.request.urlopen(package["tarball"], timeout=60) as response:
        blob = response.read()
    algorithm, _, expected = package["integrity"].partition("-")
    got = base64.b64encode(hashlib.new(algorithm, blob).digest()).decode()
    if got != expected:
        raise SystemExit(f"{package['name']}@{package['version']}: tarball integrity {algorithm}-{got} "
                         f"is not the pinned {package['integrity']}")
    out = {}
    with tarfile.open(fileobj=io.BytesIO(blob), mode="r:gz") as tar:
        for target, source in package["files"].items():
            member = tar.extractfile(f"package/{source['from']}")
            if member is None:
                raise SystemExit(f"{package['name']}: {source['from']} is not in the tarball")
            out[target] = member.read()
    return out


def main() -> int:
    manifest = json.loads(MANIFEST.read_text("utf-8"))
    for package in manifest["packages"]:
        for target, content in fetch(package).items():
            (VENDOR / target).write_bytes(content)
            package["files"][target]["sha256"] = hashlib.sha256(content).hexdigest()
            print(f"{package['name']}@{package['version']}: {target} ({len(content):,} bytes)")
    MANIFEST.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
