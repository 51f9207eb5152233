"""Prompt files: the shipped set loads; every kind of mistake names the file and field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from llmfakes import PROMPTS_DIR

from referee.classifier.prompts import FILES, load_prompts
from referee.errors import PromptError
from referee.scenarios import Catalogue


@pytest.fixture
def pdir(tmp_path: Path) -> Path:
    for name in FILES:
        shutil.copy(PROMPTS_DIR / name, tmp_path / name)
    return tmp_path


def _edit_yaml(path: Path, change) -> None:  # type: ignore[no-untyped-def]
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))


def test_shipped_prompts_cover_the_catalogue(prompts, catalogue: Catalogue):
    assert [g.id for g in prompts.guides] == list(catalogue.ids)
    assert prompts.version.startswith("p-") and len(prompts.version) == 14
    system = prompts.system_message(list(catalogue.ids))
    for sid in catalogue.ids:
        assert f"- {sid}:" in system
    schema = prompts.json_schema(["cust_changed_mind", "unclear"])
    assert schema["properties"]["scenario"]["enum"] == ["cust_changed_mind", "unclear"]
    assert schema["required"] == [f.name for f in prompts.fields]


def test_version_follows_content(pdir: Path, catalogue: Catalogue, prompts):
    assert load_prompts(pdir, catalogue).version == prompts.version
    (pdir / "persona.md").write_text((pdir / "persona.md").read_text() + "\nBe brief.\n")
    assert load_prompts(pdir, catalogue).version != prompts.version


def test_missing_file(pdir: Path, catalogue: Catalogue):
    (pdir / "task.md").unlink()
    with pytest.raises(PromptError, match=r"task\.md: file not found"):
        load_prompts(pdir, catalogue)


def test_unknown_scenario_id_names_entry_and_field(pdir: Path, catalogue: Catalogue):
    _edit_yaml(pdir / "scenarios.yaml", lambda d: d["scenarios"][2].update(id="pro_flu"))
    with pytest.raises(PromptError) as info:
        load_prompts(pdir, catalogue)
    err = info.value
    assert err.path.endswith("scenarios.yaml") and err.row == 3 and err.column == "id"
    assert "pro_flu" in str(err) and "not in the catalogue" in str(err)


def test_missing_catalogue_entry(pdir: Path, catalogue: Catalogue):
    _edit_yaml(pdir / "scenarios.yaml", lambda d: d["scenarios"].pop(0))
    with pytest.raises(
        PromptError, match=r"no entry for catalogue scenario\(s\) \['pro_running_late'\]"
    ):
        load_prompts(pdir, catalogue)


def test_duplicate_and_bad_examples(pdir: Path, catalogue: Catalogue):
    _edit_yaml(pdir / "scenarios.yaml", lambda d: d["scenarios"][4].update(examples=[]))
    with pytest.raises(PromptError) as info:
        load_prompts(pdir, catalogue)
    assert info.value.row == 5 and info.value.column == "examples"


def test_unknown_key(pdir: Path, catalogue: Catalogue):
    _edit_yaml(pdir / "scenarios.yaml", lambda d: d["scenarios"][0].update(exmaples=["x"]))
    with pytest.raises(PromptError) as info:
        load_prompts(pdir, catalogue)
    assert info.value.row == 1 and info.value.column == "exmaples"


def test_unknown_trim_key_is_named_with_its_section(pdir: Path, catalogue: Catalogue):
    _edit_yaml(pdir / "input.yaml", lambda d: d["trim"].update(max_char=100))
    with pytest.raises(PromptError, match=r"unknown key\(s\) \['max_char'\]") as info:
        load_prompts(pdir, catalogue)
    assert info.value.row is None and info.value.column == "trim.max_char"


def test_bad_yaml_names_the_line(pdir: Path, catalogue: Catalogue):
    (pdir / "output.yaml").write_text("fields:\n  - name: scenario\n   bad: [\n")
    with pytest.raises(PromptError) as info:
        load_prompts(pdir, catalogue)
    assert info.value.path.endswith("output.yaml") and info.value.row is not None


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("Data: {data}", r"\{candidates\} must appear exactly once"),
        ("{data} {data} {candidates}", r"\{data\} must appear exactly once"),
        ("{data} {candidates} {case_id}", r"unknown placeholder \{case_id\}"),
        ("{data} {candidates} {", "bad braces"),
    ],
)
def test_template_placeholders(pdir: Path, catalogue: Catalogue, template: str, message: str):
    _edit_yaml(pdir / "input.yaml", lambda d: d.update(template=template))
    with pytest.raises(PromptError, match=message) as info:
        load_prompts(pdir, catalogue)
    assert info.value.column == "template"


def test_bad_injection_pattern(pdir: Path, catalogue: Catalogue):
    _edit_yaml(pdir / "input.yaml", lambda d: d["injection_patterns"].append("(unclosed"))
    with pytest.raises(PromptError, match="bad regular expression") as info:
        load_prompts(pdir, catalogue)
    assert info.value.column == "injection_patterns"


def test_trim_numbers(pdir: Path, catalogue: Catalogue):
    _edit_yaml(pdir / "input.yaml", lambda d: d["trim"].update(max_chars="lots"))
    with pytest.raises(PromptError) as info:
        load_prompts(pdir, catalogue)
    assert info.value.column == "trim.max_chars"


def test_output_fields(pdir: Path, catalogue: Catalogue):
    _edit_yaml(pdir / "output.yaml", lambda d: d["fields"].pop())
    with pytest.raises(PromptError, match=r"missing field\(s\) \['confidence'\]"):
        load_prompts(pdir, catalogue)
    _edit_yaml(
        pdir / "output.yaml",
        lambda d: d["fields"].append({"name": "verdict", "description": "x"}),
    )
    with pytest.raises(PromptError, match="unknown field 'verdict'") as info:
        load_prompts(pdir, catalogue)
    assert info.value.column == "name" and info.value.row == 4
