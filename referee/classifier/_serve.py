"""Launcher of the embedded model server: ``llama_cpp.server`` that dies with its parent.

``python -m referee.classifier._serve PID [--grammar-veto] [llama_cpp.server args]``

:class:`referee.classifier.server.EmbeddedServer` stops the server itself
(explicitly, or from an ``atexit`` hook). Neither runs when the parent is
killed (SIGKILL, SIGTERM without a handler, a crash), and an orphaned server
would hold a core and a port for nobody. So this launcher watches its parent
process and ends the server as soon as the parent is gone. It polls the
parent pid rather than using ``prctl(PR_SET_PDEATHSIG)``, which fires when the
spawning *thread* ends and so would kill a server started from a worker thread.

``--grammar-veto`` installs :mod:`referee.classifier.sampling` in this
process first (``ServerOptions.grammar_veto``). PID 0 watches no parent: the
model server of ``docker-compose.yml`` runs this way, as its container's
main process.
"""

from __future__ import annotations

import os
import runpy
import signal
import sys
import threading
import time


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1.0)
    os.kill(os.getpid(), signal.SIGTERM)  # uvicorn shuts down cleanly on TERM
    time.sleep(10.0)
    os._exit(1)


def main() -> None:
    parent = int(sys.argv[1])
    if parent:
        threading.Thread(target=_watch, args=(parent,), daemon=True, name="parent-watch").start()
    args = sys.argv[2:]
    if args[:1] == ["--grammar-veto"]:
        from referee.classifier.sampling import install

        install()
        args = args[1:]
    sys.argv = ["llama_cpp.server", *args]
    runpy.run_module("llama_cpp.server", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
