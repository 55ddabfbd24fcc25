"""A GET event whose step has no annotations: 0.24 answered null with 200."""

__steps__ = ["answer"]


def answer(payload, context):  # type: ignore[no-untyped-def]  # the mistake under test
    return "hello"
