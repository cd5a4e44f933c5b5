"""The explorer's vendored JavaScript is what vendor.json pins (checked offline)."""
from __future__ import annotations

import hashlib
import json
import re
from importlib import resources

from kgraph import explorer

VENDOR = resources.files("kgraph") / "templates" / "vendor"


def test_committed_libraries_match_their_recorded_digests_and_versions():
    manifest = json.loads((VENDOR / "vendor.json").read_text("utf-8"))
    names = {p["name"]: p for p in manifest["packages"]}
    assert set(names) == {"graphology", "sigma"}
    for package in manifest["packages"]:
        assert re.fullmatch(r"sha512-[A-Za-z0-9+/]{86}==", package["integrity"]), package["name"]
        assert package["tarball"] == (f"https://registry.npmjs.org/{package['name']}/-/"
                                      f"{package['name']}-{package['version']}.tgz")
        for name, entry in package["files"].items():
            digest = hashlib.sha256((VENDOR / name).read_bytes()).hexdigest()
            assert digest == entry["sha256"], f"{name} is not the file taken from {package['tarball']}"
        assert any(name.endswith("LICENSE.txt") for name in package["files"]), package["name"]
    # the files the pages inline are among them, each package with its (MIT) licence
    assert set(explorer.VENDOR_SCRIPTS) <= set().union(*(p["files"] for p in manifest["packages"]))
    for package in names:
        assert "Permission is hereby granted" in (VENDOR / f"{package}.LICENSE.txt").read_text("utf-8")


def test_a_page_inlines_the_vendored_libraries_under_its_content_security_policy():
    vendor = explorer._vendor_js()
    for name in explorer.VENDOR_SCRIPTS:
        assert (VENDOR / name).read_text("utf-8").rstrip() in vendor
    csp = explorer._csp([vendor])
    assert "script-src 'sha256-" in csp and "default-src 'none'" in csp
