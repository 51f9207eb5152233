"""Shared fixtures: settings, the catalogue, the project's scripts, and a store on SQLite
and on PostgreSQL.

PostgreSQL tests use ``REFEREE_TEST_POSTGRES_URL`` (``.ci/run`` starts a server
and sets it). Outside CI they are skipped when it is unset; in CI (``CI=true``)
a missing server is a failure, so the PostgreSQL tests can never silently not run.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest

from referee.scenarios import Catalogue, load_catalogue
from referee.settings import PROJECT_ROOT

SHARED = PROJECT_ROOT.parent / "shared"


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue(PROJECT_ROOT / "rules" / "scenarios.yaml")


@pytest.fixture(scope="session")
def load_script() -> Callable[[str], ModuleType]:
    """Import ``scripts/<name>.py`` (the scripts are not a package) as module ``name``."""

    def load(name: str) -> ModuleType:
        path = PROJECT_ROOT / "scripts" / f"{name}.py"
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses resolve their module by name
        spec.loader.exec_module(module)
        return module

    return load


def postgres_url() -> str | None:
    url = os.environ.get("REFEREE_TEST_POSTGRES_URL")
    if not url and os.environ.get("CI"):
        pytest.fail("CI must provide PostgreSQL: REFEREE_TEST_POSTGRES_URL is unset")
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'referee.db'}"
        return
    base = postgres_url()
    if not base:
        pytest.skip("REFEREE_TEST_POSTGRES_URL not set (scripts/postgres.sh start sets one up)")
    # A fresh database per test keeps tests independent.
    from sqlalchemy import create_engine, text

    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(
        base.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
