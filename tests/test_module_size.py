"""No application module over 450 lines (migrations apart): a module that grows past it holds
more than one idea and is split (issue 23: importer, admin, models were 680-730 lines)."""

from pathlib import Path

MAX_LINES = 450
PACKAGE = Path(__file__).resolve().parents[1] / "dryneedling_site"


def test_no_application_module_is_over_450_lines():
    sizes = {
        path.relative_to(PACKAGE).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
        for path in PACKAGE.rglob("*.py")
        if "migrations" not in path.parts
    }
    assert {name: lines for name, lines in sizes.items() if lines > MAX_LINES} == {}
    assert len(sizes) > 50  # the scan found the package
