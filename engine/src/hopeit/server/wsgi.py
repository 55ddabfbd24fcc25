"""0.24 import path of the command-line runner: ``run_app`` and friends, now in ``hopeit.web``.

Nothing here holds state; the names are those of ``hopeit.web.server`` (running), ``hopeit.web.args``
(``max_workers``, also under its 0.24 name ``number_of_workers``), ``hopeit.web.process``
(``serve_app``) and ``hopeit.web.supervisor`` (``run_workers``). ``python -m hopeit.server.wsgi
--worker ...`` runs a worker, as it did.
"""

from hopeit.web.args import max_workers
from hopeit.web.args import max_workers as number_of_workers
from hopeit.web.process import serve_app
from hopeit.web.server import main, run_app, run_cli, worker_main
from hopeit.web.supervisor import per_worker_warnings, run_workers

__all__ = [
    "max_workers",
    "number_of_workers",
    "per_worker_warnings",
    "run_app",
    "run_cli",
    "run_workers",
    "serve_app",
    "worker_main",
]

if __name__ == "__main__":  # pragma: no cover - worker processes of older supervisors
    main()
