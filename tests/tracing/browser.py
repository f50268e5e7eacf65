"""Debian's chromium and its WebDriver for the console's browser tests, installed on demand (as tests/pg.py installs
PostgreSQL) when missing and the tests run as root with apt-get; selenium (PyPI, the test extra) drives them."""

from __future__ import annotations

import shutil
from typing import Any

from .. import debian


def _binaries() -> tuple[str, str] | None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


def ensure_chromium() -> tuple[str, str]:
    """(browser, driver) paths, installing Debian's chromium and chromium-driver when they are missing."""
    found = _binaries()
    if found is not None:
        return found
    if debian.ensure(lambda: _binaries() is not None, ["chromium", "chromium-driver"], "the console's browser tests"):
        found = _binaries()
        if found is not None:
            return found
    raise RuntimeError("the console's browser tests need chromium and chromedriver (Debian: chromium, chromium-driver)")


def headless() -> Any:
    """A headless chromium under selenium (the caller quits it)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    browser, driver = ensure_chromium()
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1400,1000",
    ):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(driver), options=options)
