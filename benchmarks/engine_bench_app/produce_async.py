"""Publishes n readings to the stream the ``async def`` consumer reads (the same step as ``produce``)."""

from engine_bench_app.produce import produce

__steps__ = ["produce"]
__all__ = ["produce"]
