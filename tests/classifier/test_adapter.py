"""The shipped LoRA adapter: its pin, how it is chosen, and the real server running it.

The adapter (data/training/gemma-lora.gguf) is written by scripts/train_lora.py;
these tests check that the file is the one pinned in the code, that the
settings pick it only for the Gemma weights it was trained on, and that
llama.cpp's server really loads it and answers with it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from llmfakes import build_case

from referee.classifier import ServerOptions
from referee.classifier import server as srv
from referee.errors import ConfigError
from referee.modelfiles import sha256_of


def test_shipped_adapter_matches_its_pin():
    assert srv.ADAPTER_PATH.is_file(), "run scripts/train_lora.py to write the adapter"
    assert sha256_of(srv.ADAPTER_PATH) == srv.ADAPTER_SHA256, (
        "data/training/gemma-lora.gguf changed: update ADAPTER_SHA256 in "
        "referee/classifier/server.py (and the figures measured with it)"
    )


def test_adapter_choice():
    shipped = srv.resolve_adapter(ServerOptions(shipped_adapter=True))
    assert shipped.lora_path == srv.ADAPTER_PATH
    assert srv.resolve_adapter(ServerOptions(shipped_adapter=False)).lora_path is None
    # An operator's adapter wins; the shipped one never goes on other weights.
    own = srv.resolve_adapter(ServerOptions(shipped_adapter=True, lora_path=Path("/x/own.gguf")))
    assert own.lora_path == Path("/x/own.gguf")
    other = ServerOptions(shipped_adapter=True, model_path=Path("/x/other.gguf"))
    assert srv.resolve_adapter(other).lora_path is None


def test_changed_adapter_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    copy = tmp_path / "gemma-lora.gguf"
    copy.write_bytes(srv.ADAPTER_PATH.read_bytes() + b"\0")
    monkeypatch.setattr(srv, "ADAPTER_PATH", copy)
    with pytest.raises(ConfigError, match="does not match the pinned"):
        srv.resolve_adapter(ServerOptions(shipped_adapter=True))


def test_command_pins_chat_format_and_names_the_adapter(tmp_path: Path):
    server = srv.EmbeddedServer(
        tmp_path / "m.gguf", ServerOptions(lora_path=srv.ADAPTER_PATH), tmp_path
    )
    cmd = server.command(1234)
    assert cmd[cmd.index("--chat_format") + 1] == "llama-2"
    assert cmd[cmd.index("--lora_path") + 1] == str(srv.ADAPTER_PATH)
    alias = cmd[cmd.index("--model_alias") + 1]
    assert alias == server.model_alias == f"gemma-3-270m-q4_k_m+lora-{srv.ADAPTER_SHA256[:12]}"
    missing = srv.EmbeddedServer(
        tmp_path / "m.gguf", ServerOptions(lora_path=tmp_path / "none.gguf"), tmp_path
    )
    with pytest.raises(ConfigError, match="is not a file"):
        missing.command(1234)


@pytest.mark.llm
def test_real_server_answers_with_the_adapter(catalogue: Any):
    """llama.cpp loads the adapter, and the classification records which model answered."""
    from referee.classifier import build_classifier
    from referee.settings import Settings

    if not srv.server_available():
        pytest.skip("llama-cpp-python[server] is not installed (pip install -e '.[llm]')")
    base = Settings(llm_base_url=None)
    server = base.classifier.server.model_copy(update={"shipped_adapter": True})
    settings = base.model_copy(
        update={"classifier": base.classifier.model_copy(update={"server": server})}
    )
    turns = [
        ("professional", "Madam, meri bike ka tyre puncture ho gaya, main aaj nahi aa paunga."),
        ("customer", "Oh, theek hai, cancel kar do."),
    ]
    with build_classifier(settings, shortlister=False) as clf:
        c = clf.classify(*build_case(turns, cancelled_by="professional"))
        alias = clf.server.model_alias if clf.server else ""
    assert "+lora-" in alias and c.model == alias
    assert c.error is None, c.error
    assert c.scenario in catalogue and c.reason


@pytest.mark.llm
def test_training_examples_are_answers_our_checks_accept(
    tmp_path: Path, prompts: Any, catalogue: Any, load_script: Any
):
    """What the adapter is taught passes the classifier's own answer and quote checks."""
    import json

    from referee.cases import Case, read_cases
    from referee.classifier.evidence import verify_quotes
    from referee.classifier.llm import parse_answer
    from referee.classifier.render import build_view
    from referee.scenarios import UNCLEAR
    from referee.settings import PROJECT_ROOT
    from referee.stages.transcribe import TranscribeStage

    if not srv.server_available():
        pytest.skip("llama-cpp-python is not installed (pip install -e '.[llm]')")
    module = load_script("train_lora")
    out = tmp_path / "examples.jsonl"
    assert module.main(["prepare", "--limit", "12", "--out", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    cases = {}
    for case in read_cases(PROJECT_ROOT / "data" / "training" / "train.jsonl"):
        assert isinstance(case, Case), case
        cases[case.case_id] = case

    def view_of(case: Case) -> Any:
        return build_view(case.event, TranscribeStage().process(case.event), prompts)

    assert len(rows) == 12 and any(len(r["candidates"]) == 3 for r in rows)
    for row in rows:
        answer = parse_answer(row["answer"], "stop", row["candidates"], catalogue, prompts)
        assert answer.scenario in row["candidates"]
        assert row["prompt_ids"] and row["answer_ids"][-1] != row["answer_ids"][0]
        if answer.scenario == UNCLEAR:
            assert not answer.quotes
            continue
        # The taught quote is a line of the case, word for word, and the reason cites it.
        (evidence,) = verify_quotes(answer.quotes, view_of(cases[row["case_id"]]).lines)
        assert evidence.verified, answer.quotes
        assert answer.quotes[0].quote[:20].lower() in answer.reason.lower()
    # An unclear case is taught to quote nothing, in its evidence or its reason: a
    # quoted line would read as the cause to an auditor.
    unclear = next(c for c in cases.values() if c.label and c.label.scenario == UNCLEAR)
    target = module.target_answer(
        view_of(unclear), UNCLEAR, prompts.guide(UNCLEAR), shortlister=None
    )
    assert target["evidence"] == [] and '"' not in target["reason"]
    assert target["reason"] == prompts.guide(UNCLEAR).when


def test_command_installs_veto_sampling_unless_switched_off(tmp_path: Path):
    on = srv.EmbeddedServer(tmp_path / "m.gguf", ServerOptions(), tmp_path).command(1)
    # _serve reads the flag only right after the parent pid.
    assert on[3:5] == [str(os.getpid()), "--grammar-veto"]
    # Every core generates, not llama_cpp.server's default of half of them.
    assert on[on.index("--n_threads") + 1] == str(os.cpu_count())
    off = srv.EmbeddedServer(tmp_path / "m.gguf", ServerOptions(grammar_veto=False), tmp_path)
    assert "--grammar-veto" not in off.command(1)
