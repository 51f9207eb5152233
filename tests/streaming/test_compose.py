"""docker-compose.yml parses, and it and the README's streaming section name the same
services (no Docker needed)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
SECTION = "## Streaming (multi-machine)"


def _documented_services() -> set[str]:
    """The services listed under 'Services:' of the streaming section: the README's
    when it has the section, else docs/streaming.md (the text meant for it)."""
    readme = (
        (ROOT / "README.md").read_text(encoding="utf-8") if (ROOT / "README.md").exists() else ""
    )
    text = readme if SECTION in readme else (ROOT / "docs" / "streaming.md").read_text()
    section = text[text.index(SECTION) :]
    block = section[section.index("Services:") :].split("\n\n", 2)[1]
    return set(re.findall(r"^- `([a-z0-9-]+)`", block, flags=re.M))


def test_compose_file_parses_and_has_every_documented_service() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    documented = _documented_services()
    assert documented, "no services listed in the streaming section"
    assert set(services) == documented

    stages = {"transcribe", "classify", "decide", "persist"}
    assert stages <= set(services)
    for stage in stages:
        service = services[stage]
        assert service["command"] == ["referee", "worker", stage]
        assert service["environment"]["KAFKA_BOOTSTRAP"] == "kafka:9092"
        assert "healthcheck" in service
        # Scalable: no fixed container name and no host port to collide on.
        assert "container_name" not in service and "ports" not in service
    assert services["kafka"]["image"].startswith("apache/kafka:")
    assert services["kafka"]["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"
    for name in ("kafka", "postgres", "llm"):
        assert "healthcheck" in services[name], name
    assert {"kafka-data", "pg-data"} <= set(compose["volumes"])
    assert services["persist"]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_compose_kafka_version_matches_the_test_broker() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    image_version = compose["services"]["kafka"]["image"].split(":")[1]
    pom = (ROOT / "scripts" / "kafka" / "pom.xml").read_text()
    assert f"<kafka.version>{image_version}</kafka.version>" in pom


def test_compose_llm_serves_the_adapter_in_its_chat_format() -> None:
    """The shipped adapter was trained on one chat format; the llm service must serve
    it in that format, under the name the workers ask for."""
    from referee.classifier.options import ServerOptions

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    args = services["llm"]["command"][-1].split()
    assert "--lora_path" in args
    assert args[args.index("--chat_format") + 1] == ServerOptions().chat_format
    alias = args[args.index("--model_alias") + 1]
    assert services["classify"]["environment"]["LLM_MODEL"] == alias
    # Started as the embedded server is: the same launcher, grammar veto, no prompt logits.
    start = args.index("referee.classifier._serve")
    assert args[start + 1 : start + 3] == ["0", "--grammar-veto"]
    assert args[args.index("--logits_all") + 1] == "false"
