"""The tour of the README, against a real server: prepare data, train through SHUFFLE stages, predict."""

import json
from pathlib import Path
from typing import Any, Dict, Tuple

import aiohttp
from conftest import ExampleServer, configs
from hopeit.testing.redis import RedisServer
from hopeit.testing.waiting import wait_until

FLOWERS = {"items": [
    {"prediction_id": "setosa-like", "features": {"sepal_length": 5.1, "sepal_width": 3.5,
                                                   "petal_length": 1.4, "petal_width": 0.2}},
    {"prediction_id": "virginica-like", "features": {"sepal_length": 7.7, "sepal_width": 3.0,
                                                      "petal_length": 6.1, "petal_width": 2.3}},
]}


async def call(method: str, url: str, body: Any = None) -> Tuple[int, Any]:
    async with aiohttp.ClientSession() as session:
        async with session.request(method, url, json=body) as resp:
            text = await resp.text()
            try:
                return resp.status, json.loads(text)
            except ValueError:
                return resp.status, text


async def train_and_predict(server: ExampleServer) -> Dict[str, Any]:
    status, input_data = await call("GET", f"{server.api}/prepare-data")
    assert status == 200, input_data
    assert input_data["iris"]["datatype"] == "dataframes_example.iris.Iris"
    status, started = await call("POST", f"{server.api}/train-model", input_data)
    assert status == 200, started
    experiment_id = started["experiment_id"]

    async def saved() -> Any:
        status, body = await call("GET", f"{server.api}/experiment?experiment_id={experiment_id}")
        return body if status == 200 else None

    experiment: Dict[str, Any] = await wait_until(saved, timeout=60, interval=0.1, what="experiment saved")
    assert experiment["eval_metrics"]["accuracy_score"] > 0.9
    assert {"train_features", "train_labels", "test_features", "test_labels"} <= set(experiment)
    status, predicted = await call("POST", f"{server.api}/predict?experiment_id={experiment_id}", FLOWERS)
    assert status == 200, predicted
    assert predicted == {"items": [
        {"prediction_id": "setosa-like", "prediction": {"variety": 0}},
        {"prediction_id": "virginica-like", "prediction": {"variety": 2}},
    ]}
    return experiment


async def test_train_through_shuffle_stages_on_embedded_streams(server: ExampleServer, tmp_path: Path) -> None:
    experiment = await train_and_predict(server)
    assert Path(experiment["model_location"]).exists()
    assert list((tmp_path / "datasets").rglob("*.parquet"))


async def test_train_with_rows_and_bad_requests(server: ExampleServer) -> None:
    rows = [{"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2, "variety": 0}] * 10
    status, started = await call("POST", f"{server.api}/train-model", {"iris": rows})
    assert status == 200 and started["experiment_id"]
    status, body = await call("POST", f"{server.api}/train-model", {"iris": [{"sepal_length": 1.0}]})
    assert status == 400 and "variety" in body["msg"]
    status, body = await call("POST", f"{server.api}/predict?experiment_id=../../etc", FLOWERS)
    assert status == 400
    status, body = await call("POST", f"{server.api}/predict?experiment_id=unknown", FLOWERS)
    assert status == 404


async def test_train_through_shuffle_stages_on_redis(redis_server: RedisServer, tmp_path: Path) -> None:
    files = configs(tmp_path, "server-redis.json", streams={"connection_str": redis_server.url})
    server = ExampleServer(tmp_path, files).start()
    try:
        await train_and_predict(server.wait_ready(timeout=90))
    finally:
        server.stop()
