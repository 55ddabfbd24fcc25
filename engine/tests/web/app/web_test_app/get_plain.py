"""Echoes its payload query arg and the (undeclared, string) query args."""

from hopeit.app.context import EventContext

from web_test_app import QueryEcho


def echo(payload: str, context: EventContext, **query_args: str) -> str:
    return f"ok: {payload} {sorted(query_args.items())}"


def none_payload(payload: None, context: EventContext, **query_args: str) -> QueryEcho:
    return QueryEcho(values=dict(query_args), types={k: type(v).__name__ for k, v in query_args.items()})


__steps__ = ["echo", "none_payload"]
