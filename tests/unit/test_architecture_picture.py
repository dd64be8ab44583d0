"""docs/architecture.md's picture is drawn from the imports (docs/draw_architecture.py): it must
say what the code says, so a change of the imports between layers fails here until the picture is
redrawn (`python docs/draw_architecture.py`)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
SCRIPT = PROJECT / "docs" / "draw_architecture.py"


def draw(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), *map(str, args)], capture_output=True, text=True, cwd=PROJECT)


def test_the_picture_in_docs_architecture_matches_the_imports() -> None:
    result = draw("--check")
    assert result.returncode == 0, result.stderr


def a_project(root: Path) -> Path:
    """A small project of the same shape: the core imports the seam; content imports nothing."""
    for module, source in {
        "bot/__init__.py": "",
        "bot/ports.py": "from bot.records import Learner\n",
        "bot/records.py": "",
        "bot/core.py": "from bot.ports import Store\nfrom bot import records\nimport content.model\n",
        "content/__init__.py": "",
        "content/model.py": "import yaml\n",
    }.items():
        (root / module).parent.mkdir(parents=True, exist_ok=True)
        (root / module).write_text(source)
    page = root / "docs" / "architecture.md"
    page.parent.mkdir()
    shutil.copy(PROJECT / "docs" / "architecture.md", page)
    return page


def test_an_import_across_layers_makes_the_picture_stale_until_it_is_redrawn(tmp_path: Path) -> None:
    page = a_project(tmp_path)
    assert draw("--root", tmp_path).returncode == 0
    drawn = page.read_text()
    assert "core -->|2| seam" in drawn  # two import statements: `from bot.ports ...`, `from bot import records`
    assert "core -->|1| content" in drawn and "content -->" not in drawn
    assert draw("--root", tmp_path, "--check").returncode == 0

    (tmp_path / "content" / "model.py").write_text("import yaml\nfrom bot.records import Learner\n")
    stale = draw("--root", tmp_path, "--check")
    assert stale.returncode == 1
    assert "stale" in stale.stderr and page.read_text() == drawn  # --check changes nothing

    assert draw("--root", tmp_path).returncode == 0
    assert "content -->|1| seam" in page.read_text()
    assert draw("--root", tmp_path, "--check").returncode == 0


def test_an_import_inside_a_layer_does_not_change_the_picture(tmp_path: Path) -> None:
    page = a_project(tmp_path)
    draw("--root", tmp_path)
    (tmp_path / "bot" / "flow.py").write_text("from bot.core import Core\n")
    assert draw("--root", tmp_path, "--check").returncode == 0
    assert page.read_text().count("-->|") == 2  # core -> seam, core -> content: no arrow inside bot


def test_a_new_package_gets_a_node_of_its_own_rather_than_a_silent_place(tmp_path: Path) -> None:
    page = a_project(tmp_path)
    draw("--root", tmp_path)
    drawn = page.read_text()
    (tmp_path / "adapters" / "matrix").mkdir(parents=True)
    (tmp_path / "adapters" / "matrix" / "__init__.py").write_text("")
    result = draw("--root", tmp_path, "--check")
    assert result.returncode == 1
    assert "adapters.matrix: no layer in docs/draw_architecture.py LAYERS names it" in result.stderr
    assert draw("--root", tmp_path).returncode == 1 and page.read_text() == drawn  # not redrawn without it
