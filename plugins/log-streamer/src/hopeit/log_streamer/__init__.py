"""hopeit.log-streamer: the engine's event log lines, parsed and published to a stream.

A SERVICE event, ``log_reader``, follows the per-event log files the engine writes in
``logs_path`` and publishes their START, DONE, FAILED and IGNORED lines as ``LogBatch`` items to
the stream ``hopeit.log-streamer.logs`` (read by apps-visualizer's live view).

Usage
-----
Run a dedicated server per node, with streams on and the plugin listed::

    hopeit_server run --port=8099 --start-streams --config-files=server.json,log-streamer-config.json

where ``log-streamer-config.json`` is a copy of this package's ``plugin-config.json`` with
``logs_path`` set to the apps' ``logging.log_path`` (or list ``"log-streamer"`` in the server
config's ``plugins`` to run the packaged one).

Configuration
-------------
Settings section ``log_reader`` (``LogReaderConfig``): ``logs_path`` (required), ``prefix`` (``""``),
``checkpoint_path``, ``file_open_timeout_secs`` (600), ``file_checkpoint_expire_secs`` (86400),
``batch_size`` (10000 lines), ``batch_wait_interval_secs`` (1). The package README tells the rest.
"""

from hopeit.log_streamer.data import Checkpoint, LogBatch, LogEntry, LogRawBatch, LogReaderConfig
from hopeit.log_streamer.handler import LogFileHandler, start_observer
from hopeit.log_streamer.version import __version__

__all__ = [
    "Checkpoint",
    "LogBatch",
    "LogEntry",
    "LogFileHandler",
    "LogRawBatch",
    "LogReaderConfig",
    "__version__",
    "start_observer",
]
