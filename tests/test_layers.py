"""The layers stay apart: the library never imports streamlit, and pages hold no SQL."""

import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIBRARY_PACKAGES = ("surveys", "analysis")


def _python_files(package):
    return sorted((ROOT / package).rglob("*.py"))


def _imported_modules(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_library_never_imports_streamlit_in_source():
    offenders = [
        str(path.relative_to(ROOT))
        for package in LIBRARY_PACKAGES
        for path in _python_files(package)
        if any(name == "streamlit" or name.startswith("streamlit.") for name in _imported_modules(path))
    ]
    assert offenders == []


def test_importing_every_library_module_does_not_load_streamlit():
    modules = [
        ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for package in LIBRARY_PACKAGES
        for path in _python_files(package)
        if path.name != "__main__.py"
    ]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print('streamlit' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


SQL = re.compile(r"\b(SELECT\s.+\sFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+TABLE)\b", re.I | re.S)


def test_pages_hold_no_sql():
    ui_files = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "ui").rglob("*.py"))]
    offenders = [str(p.relative_to(ROOT)) for p in ui_files if SQL.search(p.read_text())]
    assert offenders == []


def test_no_raw_html_from_pages():
    ui_files = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "ui").rglob("*.py"))]
    offenders = [str(p.relative_to(ROOT)) for p in ui_files if "unsafe_allow_html=True" in p.read_text()]
    assert offenders == []
