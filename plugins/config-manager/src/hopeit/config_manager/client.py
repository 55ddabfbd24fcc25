"""The cluster view: ask several hosts for the apps they run, all at once, and merge the answers.

::

    from hopeit.config_manager.client import get_apps_config

    apps = await get_apps_config("http://10.0.0.1:8020,http://10.0.0.2:8020,in-process", context,
                                 expand_events=True)

Every host is asked with one HTTP session, each request bounded by ``client_timeout`` (settings
key ``config_manager_client`` of the calling event). ``in-process`` is answered by this process
without HTTP. A host that refuses, hangs past the timeout, or answers anything but a 200 with a
``RuntimeApps`` body is marked ``ERROR`` in ``server_status``; the others still count.
"""

import asyncio
import logging
from typing import Any, Dict, List, Optional, Sequence, Tuple

import aiohttp
from hopeit.app.context import EventContext
from hopeit.app.names import route_name
from hopeit.config_manager import RuntimeAppInfo, RuntimeApps, ServerStatus
from hopeit.config_manager.runtime import get_in_process_config
from hopeit.contracts.version import APPS_API_VERSION
from hopeit.dataobjects import dataclass, dataobject
from hopeit.dataobjects.payload import Payload

__all__ = [
    "IN_PROCESS",
    "MAX_ANSWER_BYTES",
    "SETTINGS_KEY",
    "ConfigManagerClientSettings",
    "get_apps_config",
    "is_true",
    "merge_apps_config",
    "query_params",
    "runtime_apps_config_url",
]

#: The host name that means "this process": answered without HTTP.
IN_PROCESS = "in-process"
#: Settings key (in the calling event's ``setting_keys``) of ``ConfigManagerClientSettings``.
SETTINGS_KEY = "config_manager_client"
#: A host answering more than this many bytes is an ERROR: the view never holds an endless answer.
MAX_ANSWER_BYTES = 64 * 1024 * 1024

logger = logging.getLogger(__name__)


@dataobject
@dataclass
class ConfigManagerClientSettings:
    """How the cluster view asks hosts: seconds to wait for each host's whole answer."""

    client_timeout: float = 10.0


async def get_apps_config(hosts: str, context: EventContext, **kwargs: Any) -> RuntimeApps:
    """The apps every host in ``hosts`` runs, merged; the status of each host in ``server_status``.

    :param hosts: comma-separated base urls (``http://host:port``) or ``in-process``; each host
        is asked once, in the order given.
    :param context: the calling event's context; its ``config_manager_client`` settings give
        the timeout (default 10 s when absent).
    :param kwargs: query args of ``runtime-apps-config`` (``expand_events=True``); ``None``
        values are left out.
    """
    settings = context.settings(key=SETTINGS_KEY, datatype=ConfigManagerClientSettings)
    host_list = list(dict.fromkeys(host.strip() for host in hosts.split(",") if host.strip()))
    timeout = aiohttp.ClientTimeout(total=settings.client_timeout)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        answers = await asyncio.gather(*(_host_apps_config(session, host, kwargs) for host in host_list))
    return merge_apps_config(list(zip(host_list, answers)))


def merge_apps_config(answers: Sequence[Tuple[str, Optional[RuntimeApps]]]) -> RuntimeApps:
    """One view of the hosts' answers (``None``: the host failed), taken in the order given.

    The first answer that has an app gives its config and events; later answers only add their
    servers to it. Each host's status is the one it reports for itself, ``ALIVE`` when it
    reports none, and ``ERROR`` when it failed. The answers are left as they were.
    """
    merged = RuntimeApps(apps={}, server_status={})
    for host, answer in answers:
        if answer is None:
            merged.server_status[host] = ServerStatus.ERROR
            continue
        for app_key, app_info in answer.apps.items():
            known = merged.apps.get(app_key)
            if known is None:
                merged.apps[app_key] = RuntimeAppInfo(
                    servers=list(app_info.servers),
                    app_config=app_info.app_config,
                    effective_events=app_info.effective_events,
                )
            else:
                known.servers.extend(app_info.servers)
        merged.server_status[host] = answer.server_status.get(host, ServerStatus.ALIVE)
    return merged


def runtime_apps_config_url(host: str) -> str:
    """The ``runtime-apps-config`` route of config-manager at ``host`` (a base url)."""
    return host.rstrip("/") + route_name("api", "config-manager", APPS_API_VERSION, "runtime-apps-config")


def query_params(url: str, kwargs: Dict[str, Any]) -> List[Tuple[str, str]]:
    """Query args of a ``runtime-apps-config`` request, as text (aiohttp quotes them).

    Booleans go as ``true``/``false``, what the route reads; other values as ``str()`` gives
    them, case kept; ``None`` values are left out.
    """
    params = [("url", url)]
    for key, value in kwargs.items():
        if value is None:
            continue
        params.append((key, ("true" if value else "false") if isinstance(value, bool) else str(value)))
    return params


async def _host_apps_config(
    session: aiohttp.ClientSession, host: str, kwargs: Dict[str, Any]
) -> Optional[RuntimeApps]:
    """A host's answer, or ``None`` (logged) when it cannot be had in time or is not ``RuntimeApps``."""
    if host == IN_PROCESS:
        return get_in_process_config(IN_PROCESS, is_true(kwargs.get("expand_events", False)))
    try:
        async with session.get(runtime_apps_config_url(host), params=query_params(host, kwargs)) as response:
            body = await _read_limited(response)
            if response.status != 200:
                raise ValueError(f"status {response.status}: {body[:200]!r}")
            return Payload.from_json(body, RuntimeApps)
    except asyncio.TimeoutError:
        logger.warning("config-manager: host %r did not answer in time", host)
    except Exception as exc:  # noqa: BLE001 - any failure of one host must not hide the others
        # %r: the host and the error text come from outside, and must not add lines to the log
        logger.warning("config-manager: host %r failed: %s: %r", host, type(exc).__name__, str(exc))
    return None


async def _read_limited(response: aiohttp.ClientResponse) -> bytes:
    """The body of ``response``; ``ValueError`` as soon as it passes ``MAX_ANSWER_BYTES``."""
    chunks: List[bytes] = []
    size = 0
    async for chunk in response.content.iter_any():
        size += len(chunk)
        if size > MAX_ANSWER_BYTES:
            raise ValueError(f"answer larger than {MAX_ANSWER_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def is_true(value: Any) -> bool:
    """A query-arg style flag: ``True``, ``"true"`` or ``"True"``."""
    return value is True or (isinstance(value, str) and value.lower() == "true")
