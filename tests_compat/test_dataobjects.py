"""Data objects written and read by both engines: the JSON text of representative objects
(datetimes aware, naive and offset; decimals, enums, UUIDs, nested lists and dicts, validate=False),
the values read back, copy_payload's isolation and the 0.24 methods on data objects."""

from engines import Engine
from expectations import DATAOBJECTS, compare


def test_data_object_json_matches_0_24(oracle: Engine, engine_ours: Engine) -> None:
    compare(oracle.driver("dataobjects_json"), engine_ours.driver("dataobjects_json"), DATAOBJECTS)
