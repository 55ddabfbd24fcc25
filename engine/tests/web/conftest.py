"""Fixtures of the web tests (defined in ``web_support``)."""

from web_support import server_process, web_client, web_env

__all__ = ["server_process", "web_client", "web_env"]
