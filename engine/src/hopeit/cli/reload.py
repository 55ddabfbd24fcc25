"""``hopeit_server run --reload``: restart the server when an app's code or a config file changes.

For development, as uvicorn's and FastStream's ``--reload``: the server runs in a child process
(started fresh, so every module is imported again) and watchfiles restarts it when a ``.py`` or
``.json`` file changes under the folders of the config files and of the apps' Python packages.
One process only (no ``--workers``); in production run without it.

watchfiles comes with the ``dev`` extra: ``pip install "hopeit.engine[cli,dev]"``.
"""

import importlib.util
import os
import signal
import sys
from pathlib import Path
from types import FrameType
from typing import Any, Iterable, List, NoReturn, Optional, Set

from hopeit.server.config_files import load_config_files
from hopeit.web.args import ServeArgs
from hopeit.web.server import run_cli

__all__ = ["forget_bytecode", "run_with_reload", "watched_paths"]

#: What makes the server restart: code and configs (never the log files it writes itself)
WATCHED_SUFFIXES = (".py", ".json")


def _package_folder(module: str) -> Optional[Path]:
    """The folder of an importable module or package (its top package's), or None."""
    try:
        spec = importlib.util.find_spec(module.split(".")[0])
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    if spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations))).resolve()
    return Path(spec.origin).resolve().parent if spec.origin else None


def watched_paths(config_files: List[str]) -> List[Path]:
    """The folders of the config files and of the apps' packages (``engine.import_modules``).

    Installed packages (under ``site-packages``) are left out: only code being worked on restarts.
    """
    _, apps = load_config_files(config_files)
    found: Set[Path] = {Path(path).resolve().parent for path in config_files}
    for app_config in apps:
        modules = app_config.engine.import_modules or [app_config.app.name.replace("-", "_")]
        for module in modules:
            folder = _package_folder(module)
            if folder is not None and "site-packages" not in folder.parts:
                found.add(folder)
    # a folder inside another watched one adds nothing (watching is recursive)
    return sorted(path for path in found if not any(other in path.parents for other in found))


def _stop_on_sigterm() -> None:
    """SIGTERM stops the watcher as Ctrl-C does: it then stops the server and waits for it."""

    def interrupt(signum: int, frame: Optional[FrameType]) -> NoReturn:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


def forget_bytecode(paths: Iterable[str]) -> None:
    """Remove the cached bytecode (``__pycache__/<name>.<tag>.pyc``) of the ``.py`` files among ``paths``.

    Python takes a cached file as current when it names the source's size and modification time in
    whole seconds: an edit that keeps the size, saved within the second of the one before (``one``
    -> ``two``), would be served from the stale bytecode after the restart.
    """
    for path in paths:
        if path.endswith(".py"):
            try:
                os.remove(importlib.util.cache_from_source(path))
            except (OSError, NotImplementedError, ValueError):  # none cached, or no cache for this Python
                pass


def _only_code_and_configs(change: Any, path: str) -> bool:
    return path.endswith(WATCHED_SUFFIXES) and "__pycache__" not in path


def run_with_reload(args: ServeArgs) -> None:
    """Serve ``args`` in a child process, restarted whenever watched code or configs change.

    :raises SystemExit: 1 when watchfiles is missing or ``--workers`` was asked for too.
    """
    try:
        import watchfiles
    except ImportError:
        print('hopeit_server: error: --reload needs watchfiles: pip install "hopeit.engine[cli,dev]"',
              file=sys.stderr, flush=True)
        sys.exit(1)
    if args.workers > 1:
        print("hopeit_server: error: --reload runs one server process: drop --workers", file=sys.stderr, flush=True)
        sys.exit(1)
    paths = watched_paths(args.config_files)
    print("hopeit_server: --reload is for development: the server restarts when a .py or .json file changes in "
          + ", ".join(str(path) for path in paths), flush=True)
    _stop_on_sigterm()

    def restarted(changes: Set[Any]) -> None:
        forget_bytecode(path for _, path in changes)  # before the new server process imports them
        names = sorted({os.path.relpath(path) for _, path in changes})
        print(f"hopeit_server: {', '.join(names[:5])}{' ...' if len(names) > 5 else ''} changed: restarting",
              flush=True)

    watchfiles.run_process(*paths, target=run_cli, args=(args,), callback=restarted,
                           watch_filter=_only_code_and_configs, target_type="function")
