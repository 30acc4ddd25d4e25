"""``manage.py runserver`` that also prints when the preview does what, for bench/preview.py.

    python -m bench.preview_probe runserver 127.0.0.1:8000 --content DIR

Run from a copy of the code (its folder first on ``sys.path``), it serves
exactly as ``manage.py`` would, and prints lines of the form
``probe EVENT EPOCH_SECONDS DETAIL`` on stdout:

- ``changed``: the file watcher reported a changed file (before the preview's
  own handler runs: receivers run in the order they were connected);
- ``request`` and ``response``: a request started and finished, by thread;
- ``sync``: the preview's ``sync()`` returned, with the seconds it took.

Times are ``time.time()``, so that the benchmark can set them beside the
browser's ``performance.timeOrigin``, which counts from the same epoch.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

_lock = threading.Lock()


def emit(event: str, detail: str = "", at: float | None = None) -> None:
    line = f"probe {event} {time.time() if at is None else at:.6f} {detail}\n"
    with _lock:
        sys.stdout.write(line)
        sys.stdout.flush()


def _changed(sender: Any, file_path: Path, **kwargs: Any) -> None:
    emit("changed", str(file_path))


def _request_started(sender: Any, environ: dict, **kwargs: Any) -> None:
    emit("request", f"{threading.get_ident()} {environ.get('PATH_INFO', '')}")


def _request_finished(sender: Any, **kwargs: Any) -> None:
    emit("response", str(threading.get_ident()))


def _time_sync() -> None:
    """Wrap ``blog.preview.sync``: its middleware looks the name up on each request."""
    from blog import preview

    original = preview.sync

    def timed_sync() -> None:
        started = time.perf_counter()
        try:
            original()
        finally:
            emit("sync", f"{time.perf_counter() - started:.6f}")

    preview.sync = timed_sync


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "blog.settings")
    from django.core.signals import request_finished, request_started
    from django.utils.autoreload import file_changed

    file_changed.connect(_changed, dispatch_uid="bench_probe")
    request_started.connect(_request_started, dispatch_uid="bench_probe")
    request_finished.connect(_request_finished, dispatch_uid="bench_probe")

    import django
    from django.core.management import execute_from_command_line

    django.setup()
    _time_sync()
    execute_from_command_line([sys.argv[0], *sys.argv[1:]])


if __name__ == "__main__":
    main()
