"""Every data file gureum reads at run time is in the installed package (pyproject's package-data): the tests run
from the source tree, where a file left out of the wheel is still found, so this is where its absence shows."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_data_file_is_packaged() -> None:
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    missing = []
    for path in (ROOT / "gureum").rglob("*"):
        if not path.is_file() or path.suffix in (".py", ".pyc") or "__pycache__" in path.parts:
            continue
        covered = False
        for package, globs in patterns.items():
            base = ROOT.joinpath(*package.split("."))
            if base in path.parents:
                relative = path.relative_to(base).as_posix()
                covered = covered or any(fnmatch.fnmatch(relative, glob) for glob in globs)
        if not covered:
            missing.append(path.relative_to(ROOT).as_posix())
    assert missing == []
