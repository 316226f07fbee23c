"""Imports point one way: ``app`` uses ``screening`` and ``extraction``; ``extraction`` may use
``screening``'s public modules (never a ``_private`` name); ``screening`` never imports
``extraction``; neither imports the web layer."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WEB_LAYER = {"app", "fastapi", "starlette", "uvicorn", "jinja2"}


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names imported from it) for every absolute import in a file."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((alias.name, []) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.module, [alias.name for alias in node.names]))
    return found


def _files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def test_domain_packages_never_import_the_web_layer():
    offenders = {
        str(path.relative_to(ROOT)): sorted({module.split(".")[0] for module, _ in _imports(path)} & WEB_LAYER)
        for package in ("screening", "extraction")
        for path in _files(package)
        if {module.split(".")[0] for module, _ in _imports(path)} & WEB_LAYER
    }
    assert offenders == {}


def test_screening_never_imports_extraction():
    offenders = [str(path.relative_to(ROOT)) for path in _files("screening")
                 if any(module.split(".")[0] == "extraction" for module, _ in _imports(path))]
    assert offenders == []


def test_extraction_uses_only_screenings_public_names():
    offenders = []
    for path in _files("extraction"):
        for module, names in _imports(path):
            if module.split(".")[0] != "screening":
                continue
            private = [part for part in module.split(".") if part.startswith("_")] + \
                      [name for name in names if name.startswith("_")]
            if private:
                offenders.append(f"{path.relative_to(ROOT)}: {module} {private}")
    assert offenders == []


def test_the_rule_is_checked_on_real_files():
    """The tests above would pass on an empty tree; make sure they see the packages."""
    assert len(_files("screening")) > 20 and len(_files("extraction")) >= 8
    assert any(module.startswith("screening.") for path in _files("extraction") for module, _ in _imports(path))
