"""Process-wide counters the test events update (read back through the ``status`` event)."""

from typing import List

SETUP_RUNS: List[int] = [0]
CONSUMED: List[str] = []
SERVICE_ITEMS: List[int] = [0]
PLUGIN_SETUP_HOSTS: List[str] = []
#: chunk size the upload event saves files with (0: the default of save_multipart_attachment)
UPLOAD_CHUNK_SIZE: List[int] = [0]
