"""What the metrics tests share: the test app's configs, and ``/metrics`` text parsed into numbers.

The text is parsed with prometheus-client's own parser (``text_string_to_metric_families``), as a
scraper would read it.
"""

import json
import uuid
from pathlib import Path
from typing import Any, Dict, FrozenSet, Optional, Tuple

from prometheus_client.parser import text_string_to_metric_families

APP_CONFIG = str(Path(__file__).parent / "metrics_test_app" / "config" / "app.json")
APP_KEY = "metrics_test.1x0"
BASE = "/api/metrics-test/1x0"
STREAM = "metrics_test.items"
GROUP = "metrics_group"

#: (sample name, labels) -> value
Samples = Dict[Tuple[str, FrozenSet[Tuple[str, str]]], float]


def server_config(folder: Path, *, metrics_path: Optional[str] = "/metrics",
                  streams: Optional[Dict[str, Any]] = None, log_level: str = "WARNING") -> str:
    """A server config file in ``folder`` with metrics at ``metrics_path``; memory streams of its own by default."""
    config = {
        "logging": {"log_level": log_level, "console_only": True},
        "streams": streams or {"delay_auto_start_seconds": 0, "connection_str": f"metrics-test-{uuid.uuid4()}"},
        "api": {"metrics_path": metrics_path},
    }
    path = folder / f"server-{uuid.uuid4().hex[:8]}.json"
    path.write_text(json.dumps(config))
    return str(path)


def parse(text: str) -> Samples:
    """Every sample of a Prometheus text, by name and labels."""
    samples: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def value(samples: Samples, name: str, **labels: str) -> Optional[float]:
    """The value of sample ``name`` with exactly ``labels``, None when absent."""
    return samples.get((name, frozenset(labels.items())))


def event(name: str, event_type: str) -> Dict[str, str]:
    """Labels of an event of the test app."""
    return {"app": APP_KEY, "event": name, "event_type": event_type}


def group(stream: str = STREAM, consumer_group: str = GROUP) -> Dict[str, str]:
    """Labels of a stream and consumer group."""
    return {"stream": stream, "consumer_group": consumer_group}
