"""The layers, as rules on imports (README: Layout; issue 13 point 6). Each rule is one test whose
failure names every offending module, line and import statement; `test_a_planted_violation_is_reported`
shows each rule able to fail, on a small tree in tmp_path.

Every import counts: at module level, inside functions, in try/except, and under
`if TYPE_CHECKING:` (a type-only import is still a dependency that readers and mypy follow: a core
typed against a store row is tied to the store). Relative imports are resolved, `from bot import
store` counts as importing bot.store, and `importlib.import_module("...")` / `__import__("...")`
with a literal name count too."""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
PRODUCT = ("bot", "adapters", "content", "credentials", "web", "run_bot")

PLATFORMS = ("adapters.telegram", "adapters.slack", "adapters.console")
SDKS = {"adapters.telegram": ("telegram",), "adapters.slack": ("slack_bolt", "slack_sdk"), "adapters.console": ()}
ALL_SDKS = tuple(name for names in SDKS.values() for name in names)
WEB_STACK = ("fastapi", "starlette", "uvicorn", "httpx", "aiohttp", "jinja2", "multipart")
IMAGES = ("PIL",)
# adapters/ outside the platforms that may compose several of them: the command line, the
# composition root and the process that serves the web app and the platforms together.
EDGE = ("adapters.cli", "adapters.wiring", "adapters.service")

SETTINGS_EXCEPTION = (
    "bot/config.py is the one settings object (issue 13 point 2): it checks DATABASE_URL with "
    "SQLAlchemy's URL parser and the store's defaults. Only the edge and Alembic read it, never "
    "the core (test_the_settings_stay_out_of_the_core)"
)


@dataclass(frozen=True)
class Rule:
    text: str  # what the rule says, for the failure message
    importers: tuple[str, ...]  # the modules or packages whose imports are checked
    forbidden: tuple[str, ...]  # what they may not import (a package covers its submodules)
    exempt: tuple[str, ...] = ()  # parts of `importers` the rule does not cover
    allowed: Mapping[tuple[str, str], str] = field(default_factory=dict)  # (importer, module): why it may


@dataclass(frozen=True)
class Import:
    importer: str  # the importing module: bot.config
    path: str  # its file, relative to the tree: bot/config.py
    line: int
    statement: str  # as written: from bot.store.database import normalize_url
    module: str  # the module named, absolute: bot.store.database
    targets: tuple[str, ...]  # what the statement may import: the module, and each name as a submodule

    def __str__(self) -> str:
        return f"{self.importer} ({self.path}:{self.line}): {self.statement}"


RULES: dict[str, Rule] = {
    # 1. The seam: the core speaks to the store through bot/ports.py in plain records, never rows.
    "core-store": Rule(
        "the core (bot/ except bot/store/) imports no SQLAlchemy, no Alembic and no bot.store",
        importers=("bot",),
        exempt=("bot.store",),
        forbidden=("sqlalchemy", "alembic", "bot.store"),
        allowed={
            ("bot.config", "bot.store.database"): SETTINGS_EXCEPTION,
            ("bot.config", "sqlalchemy.engine"): SETTINGS_EXCEPTION,
            ("bot.config", "sqlalchemy.exc"): SETTINGS_EXCEPTION,
        },
    ),
    "settings-at-the-edge": Rule(
        "no module of the core imports bot.config (it may import the store, see SETTINGS_EXCEPTION): "
        "settings reach the core as plain values",
        importers=("bot",),
        exempt=("bot.store", "bot.config"),
        forbidden=("bot.config",),
    ),
    # 2. The core (and its store) is platform-neutral.
    "core-neutral": Rule(
        "bot/ (the core and its store) imports no web, no adapters, no platform SDK, web framework or image library",
        importers=("bot",),
        forbidden=("web", "adapters", *ALL_SDKS, *WEB_STACK, *IMAGES),
    ),
    # 3. The platform adapters do not know one another; only the edge composes several.
    **{
        f"platform-{platform.rpartition('.')[2]}": Rule(
            f"{platform} imports no other platform adapter, no other platform's SDK and nothing of the edge ({', '.join(EDGE)})",
            importers=(platform,),
            forbidden=(*(p for p in PLATFORMS if p != platform), *(sdk for p in PLATFORMS if p != platform for sdk in SDKS[p]), *EDGE),
        )
        for platform in PLATFORMS
    },
    "adapters-shared": Rule(
        "adapters/ outside the platforms and the edge (the delivery journal, request bodies, the LRS forwarder, ...) "
        "imports no platform adapter",
        importers=("adapters",),
        exempt=(*PLATFORMS, *EDGE),
        forbidden=PLATFORMS,
    ),
    # 4. Content and credentials are libraries the core uses, not the other way round.
    "content-credentials": Rule(
        "content/ and credentials/ import nothing from bot, adapters or web, and no platform SDK or web framework "
        "(credentials may use Pillow to bake badge images)",
        importers=("content", "credentials"),
        forbidden=("bot", "adapters", "web", *ALL_SDKS, *WEB_STACK),
    ),
    # 5. What does not ship stays out of what does.
    "product-alone": Rule(
        "the product (bot, adapters, content, credentials, web, run_bot.py) imports nothing from tests, fakes or benchmarks",
        importers=PRODUCT,
        forbidden=("tests", "fakes", "benchmarks"),
    ),
    "benchmarks-no-tests": Rule(
        "benchmarks/ and fakes/ import nothing from tests (benchmarks may import the product and fakes/)",
        importers=("benchmarks", "fakes"),
        forbidden=("tests",),
    ),
    "fakes-independent": Rule(
        "fakes/ import nothing from the product or the benchmarks: a fake judges the bot by the platform's "
        "published rules, not by the bot's own code",
        importers=("fakes",),
        forbidden=(*PRODUCT, "benchmarks"),
    ),
}


def under(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)


def module_of(root: Path, path: Path) -> tuple[str, str]:
    """The dotted name of a file's module, and the package its relative imports start from."""
    parts = path.relative_to(root).with_suffix("").parts
    if parts[-1] == "__init__":
        return ".".join(parts[:-1]), ".".join(parts[:-1])
    return ".".join(parts), ".".join(parts[:-1])


def absolute(module: str | None, level: int, package: str) -> str:
    if not level:
        return module or ""
    base = package.split(".")[: len(package.split(".")) - (level - 1)]
    return ".".join([*base, *([module] if module else [])])


def imports_of(root: Path, path: Path) -> Iterator[Import]:
    importer, package = module_of(root, path)
    where = path.relative_to(root).as_posix()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(importer, where, node.lineno, ast.unparse(node), alias.name, (alias.name,))
        elif isinstance(node, ast.ImportFrom):
            module = absolute(node.module, node.level, package)
            names = tuple(f"{module}.{alias.name}" for alias in node.names if alias.name != "*")
            yield Import(importer, where, node.lineno, ast.unparse(node), module, (module, *names))
        elif isinstance(node, ast.Call) and _is_dynamic_import(node.func) and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                yield Import(importer, where, node.lineno, ast.unparse(node), first.value, (first.value,))


def _is_dynamic_import(func: ast.expr) -> bool:
    return (isinstance(func, ast.Name) and func.id in ("__import__", "import_module")) or (
        isinstance(func, ast.Attribute) and func.attr == "import_module"
    )


def files_of(root: Path, name: str) -> list[Path]:
    """The files of a package (every .py under its folder) or of a module (its one file)."""
    path = root.joinpath(*name.split("."))
    if path.is_dir():
        return sorted(p for p in path.rglob("*.py") if "__pycache__" not in p.parts)
    return [file] if (file := path.with_suffix(".py")).is_file() else []


def violations(rule: Rule, root: Path = PROJECT) -> list[str]:
    found: list[Import] = []
    for name in rule.importers:
        for path in files_of(root, name):
            for imported in imports_of(root, path):
                if under(imported.importer, rule.exempt) or not under(imported.importer, rule.importers):
                    continue
                if (imported.importer, imported.module) in rule.allowed:
                    continue
                if any(under(target, rule.forbidden) for target in imported.targets):
                    found.append(imported)
    return [str(i) for i in sorted(found, key=lambda i: (i.path, i.line, i.statement))]


def check(key: str) -> None:
    rule = RULES[key]
    found = violations(rule)
    assert not found, f"Rule: {rule.text}. Broken by:\n" + "\n".join(found)


# ---------------------------------------------------------------------------------------------
# The rules, on this tree


def test_the_core_imports_no_sqlalchemy_alembic_or_store():
    check("core-store")


def test_the_settings_stay_out_of_the_core():
    check("settings-at-the-edge")


def test_the_core_imports_no_web_adapter_sdk_or_web_framework():
    check("core-neutral")


@pytest.mark.parametrize("platform", [p.rpartition(".")[2] for p in PLATFORMS])
def test_a_platform_adapter_imports_no_other_platform(platform):
    check(f"platform-{platform}")


def test_only_the_edge_of_adapters_imports_platforms():
    check("adapters-shared")


def test_content_and_credentials_import_nothing_of_bot_adapters_or_web():
    check("content-credentials")


def test_the_product_imports_no_tests_fakes_or_benchmarks():
    check("product-alone")


def test_benchmarks_and_fakes_import_nothing_from_tests():
    check("benchmarks-no-tests")


def test_the_fakes_know_nothing_of_the_product():
    check("fakes-independent")


def test_the_wheel_ships_no_tests_fakes_or_benchmarks():
    find = tomllib.loads((PROJECT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]
    shipped = [
        name
        for name in ("tests", "fakes", "benchmarks")
        if any(fnmatch(name, pattern) for pattern in find.get("include", ["*"]))
        and not any(fnmatch(name, pattern) for pattern in find.get("exclude", []))
    ]
    assert shipped == [], f"pyproject.toml [tool.setuptools.packages.find] would ship {shipped}"


def test_every_rule_names_code_that_exists():
    """A misspelt package would make a rule check nothing and pass."""
    named = {name for rule in RULES.values() for name in (*rule.importers, *rule.exempt)}
    assert [name for name in sorted(named) if not files_of(PROJECT, name)] == []
    for importer, module in (key for rule in RULES.values() for key in rule.allowed):
        assert any(i.module == module for i in imports_of(PROJECT, files_of(PROJECT, importer)[0])), (
            f"the exception for {importer} importing {module} is no longer needed: remove it"
        )


# ---------------------------------------------------------------------------------------------
# Each rule can fail: a violation planted in a small tree is reported, naming module and import


PLANTED = [
    # (rule, {file: source}, what must be reported)
    (
        "core-store",
        {"bot/flow.py": "from bot.store.models import LearnerRow\n"},
        ["bot.flow (bot/flow.py:1): from bot.store.models import LearnerRow"],
    ),
    (
        "core-store",
        {"bot/flow.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from sqlalchemy.orm import Session\n"},
        ["bot.flow (bot/flow.py:3): from sqlalchemy.orm import Session"],
    ),
    ("core-store", {"bot/flow.py": "def later():\n    import alembic.command\n"}, ["bot.flow (bot/flow.py:2): import alembic.command"]),
    (
        "core-store",
        {"bot/core.py": "from . import store\nfrom .store import rows\n"},
        ["bot.core (bot/core.py:1): from . import store", "bot.core (bot/core.py:2): from .store import rows"],
    ),
    (
        "core-store",
        {"bot/core.py": "import importlib\nrows = importlib.import_module('bot.store.rows')\n"},
        ["bot.core (bot/core.py:2): importlib.import_module('bot.store.rows')"],
    ),
    (
        "core-store",
        {
            "bot/config.py": "from bot.store.database import normalize_url\nfrom bot.store.models import Base\n",
            "bot/store/learners.py": "from sqlalchemy import select\n",
        },  # the exception is one import wide; the store may
        ["bot.config (bot/config.py:2): from bot.store.models import Base"],
    ),
    (
        "settings-at-the-edge",
        {"bot/core.py": "from bot.config import Settings\n", "bot/store/migrations/env.py": "from bot.config import Settings\n"},
        ["bot.core (bot/core.py:1): from bot.config import Settings"],
    ),
    (
        "core-neutral",
        {"bot/replies.py": "from telegram import InlineKeyboardMarkup\n"},
        ["bot.replies (bot/replies.py:1): from telegram import InlineKeyboardMarkup"],
    ),
    (
        "core-neutral",
        {"bot/store/send_rate.py": "import httpx\n", "bot/published.py": "from web.app import create_app\n"},
        [
            "bot.published (bot/published.py:1): from web.app import create_app",
            "bot.store.send_rate (bot/store/send_rate.py:1): import httpx",
        ],
    ),
    (
        "core-neutral",
        {"bot/nudges.py": "from adapters.inbox import Inbox\nfrom PIL import Image\n"},
        ["bot.nudges (bot/nudges.py:1): from adapters.inbox import Inbox", "bot.nudges (bot/nudges.py:2): from PIL import Image"],
    ),
    (
        "platform-telegram",
        {"adapters/telegram/bot.py": "from adapters.slack.render import blocks\n"},
        ["adapters.telegram.bot (adapters/telegram/bot.py:1): from adapters.slack.render import blocks"],
    ),
    (
        "platform-slack",
        {"adapters/slack/app.py": "from ..console import render\nimport telegram.error\n"},
        [
            "adapters.slack.app (adapters/slack/app.py:1): from ..console import render",
            "adapters.slack.app (adapters/slack/app.py:2): import telegram.error",
        ],
    ),
    (
        "platform-console",
        {
            "adapters/console/app.py": "from adapters import telegram\nfrom adapters.wiring import wire\n",
            "adapters/cli/serve.py": "from adapters.console import app\nfrom adapters.slack import http\n",
        },
        [
            "adapters.console.app (adapters/console/app.py:1): from adapters import telegram",
            "adapters.console.app (adapters/console/app.py:2): from adapters.wiring import wire",
        ],
    ),
    (
        "adapters-shared",
        {
            "adapters/inbox.py": "from adapters.telegram.bot import TelegramBot\n",
            "adapters/wiring.py": "from adapters.telegram.bot import TelegramBot\nfrom adapters.slack.app import SlackBot\n",
        },
        ["adapters.inbox (adapters/inbox.py:1): from adapters.telegram.bot import TelegramBot"],
    ),
    (
        "content-credentials",
        {
            "content/loader.py": "from bot.texts import KEPT\n",
            "credentials/images.py": "from PIL import Image\n",
            "credentials/issuing.py": "from web.views import page\nimport fastapi\n",
        },
        [
            "content.loader (content/loader.py:1): from bot.texts import KEPT",
            "credentials.issuing (credentials/issuing.py:1): from web.views import page",
            "credentials.issuing (credentials/issuing.py:2): import fastapi",
        ],
    ),
    (
        "product-alone",
        {
            "web/app.py": "from tests.support import learner\n",
            "adapters/lrs.py": "from fakes.lrs import FakeLrs\n",
            "run_bot.py": "import benchmarks.support\n",
        },
        [
            "adapters.lrs (adapters/lrs.py:1): from fakes.lrs import FakeLrs",
            "run_bot (run_bot.py:1): import benchmarks.support",
            "web.app (web/app.py:1): from tests.support import learner",
        ],
    ),
    (
        "benchmarks-no-tests",
        {
            "benchmarks/slack.py": "from tests.slack.client import text_of\nfrom fakes.slack_api import FakeSlack\n",
            "fakes/serving.py": "from tests.conftest import PROJECT_DIR\n",
        },
        [
            "benchmarks.slack (benchmarks/slack.py:1): from tests.slack.client import text_of",
            "fakes.serving (fakes/serving.py:1): from tests.conftest import PROJECT_DIR",
        ],
    ),
    (
        "fakes-independent",
        {"fakes/telegram_api.py": "from adapters.telegram.formatting import escape\n"},
        ["fakes.telegram_api (fakes/telegram_api.py:1): from adapters.telegram.formatting import escape"],
    ),
]


@pytest.mark.parametrize(("key", "files", "expected"), PLANTED, ids=[f"{key}-{i}" for i, (key, _, _) in enumerate(PLANTED)])
def test_a_planted_violation_is_reported(tmp_path, key, files, expected):
    for name, source in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
    assert sorted(violations(RULES[key], tmp_path)) == sorted(expected)


def test_every_rule_has_a_planted_violation():
    assert set(RULES) - {key for key, _, _ in PLANTED} == set()
