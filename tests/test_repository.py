"""The suite leaves the working tree as it found it."""

import subprocess

import pytest

from tests.browser.conftest import ROOT, SCREENSHOTS


def test_browser_screenshots_go_to_an_ignored_folder_not_the_documented_ones():
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    assert SCREENSHOTS != ROOT / "docs" / "screenshots"
    ignored = subprocess.run(  # noqa: S603 - fixed arguments
        ["git", "check-ignore", "-q", str(SCREENSHOTS / "page.png")],  # noqa: S607
        cwd=ROOT,
        check=False,
    )
    assert ignored.returncode == 0, f"{SCREENSHOTS} is tracked by git"
