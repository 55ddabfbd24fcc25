"""``AppsClient``: calls GET and POST events of another hopeit app over HTTP."""

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Tuple, Type, TypeVar

import aiohttp
from hopeit.app.client import Client
from hopeit.app.config import AppConfig, EventConnection, EventConnectionType
from hopeit.app.context import EventContext
from hopeit.app.names import base_event_name
from hopeit.apps_client._auth import ClientAuth
from hopeit.apps_client._http import parse_response, query_params, request_headers
from hopeit.apps_client._routes import ConnectionRoutes, resolve_routes
from hopeit.apps_client.errors import (
    AppConnectionNotFound,
    AppsClientException,
    ClientLoadBalancerException,
    ServerException,
)
from hopeit.apps_client.load_balancer import CircuitBreakLoadBalancer
from hopeit.apps_client.settings import AppsClientSettings, load_settings, parse_hosts
from hopeit.dataobjects import EventPayload
from hopeit.dataobjects.payload import Payload
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

__all__ = ["AppConnectionState", "AppsClient"]

_T = TypeVar("_T")

logger = logging.getLogger("hopeit.apps_client")

#: failures worth another attempt (on the next host): the other app or the network is in trouble
_RETRYABLE = (ServerException, aiohttp.ClientError, OSError, asyncio.TimeoutError)
_MAX_TEXT = 500


@dataclass
class AppConnectionState:
    """A connection's target app, its load balancer and the events that call through it."""

    app_connection: str
    load_balancer: CircuitBreakLoadBalancer
    events: Dict[str, Dict[str, EventConnection]]


class AppsClient(Client):
    """Client of one ``app_connections`` entry: round-robin hosts, retries, breakers, auth, track ids.

    The engine creates one per connection when the app starts (``Client.create``), starts it, and
    stops it with the app. Steps call it through ``hopeit.app.client.app_call``/``app_call_list``.

    :raises AppsClientConfigError: (when created) settings or ``connections`` cannot be used.
    """

    def __init__(self, app_config: AppConfig, app_connection: str) -> None:
        self.app_config = app_config
        self.app_connection = app_connection
        self.app_key = app_config.app_key()
        self.where = f"app {self.app_key}, app connection '{app_connection}'"
        self.settings: AppsClientSettings = load_settings(app_config, app_connection)
        self.target = app_config.app_connections[app_connection]
        self.routes: ConnectionRoutes = resolve_routes(app_config, app_connection, self.settings)
        self.hosts = parse_hosts(self.settings.connection_str, where=self.where)
        self.auth = ClientAuth(app_key=self.app_key, strategy=self.settings.auth_strategy, where=self.where)
        self.state: Optional[AppConnectionState] = None
        self.session: Optional[aiohttp.ClientSession] = None
        #: the time the hosts' breakers go by (epoch seconds); tests may set a clock they move themselves
        self.clock: Callable[[], float] = time.time

    def _retrying(self) -> AsyncRetrying:
        """Attempts of one call: ``retries + 1``, exponential backoff, only on retryable errors.

        A new object per call: tenacity keeps the state of an iteration on the object itself.
        """
        settings = self.settings
        backoff = settings.retry_backoff_ms / 1000.0
        return AsyncRetrying(
            stop=stop_after_attempt(settings.retries + 1),
            wait=wait_exponential(multiplier=backoff, max=max(settings.retry_last_backoff_ms / 1000.0, backoff)),
            retry=retry_if_exception_type(_RETRYABLE),
            reraise=True,
        )

    async def start(self) -> "AppsClient":
        """Open the connection pool, set up the hosts' breakers and issue the first token."""
        self.auth.start()
        self.state = AppConnectionState(
            app_connection=self.app_connection,
            load_balancer=CircuitBreakLoadBalancer(hosts=list(self.hosts)),
            events=self.routes.events,
        )
        settings = self.settings
        connector = aiohttp.TCPConnector(
            ssl=settings.ssl,
            limit=settings.max_connections,
            limit_per_host=settings.max_connections_per_host,
            use_dns_cache=settings.dns_cache_ttl > 0,
            ttl_dns_cache=settings.dns_cache_ttl if settings.dns_cache_ttl > 0 else None,
        )
        self.session = aiohttp.ClientSession(
            connector=connector,
            timeout=aiohttp.ClientTimeout(
                total=settings.request_timeout_seconds, connect=settings.connect_timeout_seconds
            ),
        )
        logger.info("%s: started, hosts=%s auth=%s", self.where, ",".join(self.hosts), settings.auth_strategy.value)
        return self

    async def stop(self) -> None:
        """Close the connection pool (errors are logged, not raised) and forget the token."""
        session, self.session = self.session, None
        if session is not None:
            try:
                await session.close()
                if any(host.startswith("https") for host in self.hosts):
                    await asyncio.sleep(0.25)  # lets SSL transports close before the loop goes away
            except Exception as exc:  # noqa: BLE001 - stopping must go on
                logger.warning("%s: error closing connections: %s", self.where, exc)
        self.auth.stop()
        logger.info("%s: stopped", self.where)

    async def call(
        self,
        event_name: str,
        *,
        datatype: Type[_T],
        payload: Optional[EventPayload],
        context: EventContext,
        responses: Optional[Dict[int, type]] = None,
        **kwargs: Any,
    ) -> List[_T]:
        """Call ``event_name`` of the connected app; returns the items of its response.

        GET events get ``kwargs`` (and a non-None ``payload``) as query args; POST events get
        ``payload`` as JSON body and ``kwargs`` as query args.

        :raises AppConnectionNotFound: the calling event does not list ``event_name`` in its connections.
        :raises ClientLoadBalancerException: every host's breaker is open (nothing was sent).
        :raises AppsClientException: every attempt failed; the last error is the cause.
        :raises UnhandledResponse: the status is not 200 and not mapped in ``responses``.
        :raises Unauthorized: 401 not mapped in ``responses``.
        """
        session = self.session
        if session is None or self.state is None:
            raise RuntimeError(f"{self.where}: client is not started (the engine starts it with the app)")
        connection = self._connection(context, event_name)
        headers = request_headers(context, self.auth.header(context))
        if connection.type == EventConnectionType.GET:
            request: Tuple[str, Any, Optional[str]] = ("GET", query_params(kwargs, payload), None)
        else:
            body = None if payload is None else Payload.to_json(payload)
            request = ("POST", query_params(kwargs), body)
        # the call is a child span of the calling event: the target continues the trace from it
        with context.outgoing_trace("CLIENT", f"{self.target.name} {event_name}") as trace_headers:
            headers.update(trace_headers)
            try:
                async for attempt in self._retrying():
                    with attempt:
                        items: List[_T] = await self._attempt(
                            session, request, event_name, headers, datatype, responses, context,
                            attempt.retry_state.attempt_number,
                        )
                        return items
            except _RETRYABLE as exc:
                raise AppsClientException(
                    f"Server or IO Error calling {event_name} of {self.target.name}: "
                    f"{type(exc).__name__}: {exc} ({self.settings.retries} retries)"
                ) from exc
        raise AssertionError("unreachable: tenacity returns or raises")  # pragma: no cover

    def _connection(self, context: EventContext, event_name: str) -> EventConnection:
        caller = base_event_name(context.event_name)
        connection = self.routes.events.get(caller, {}).get(event_name)
        if connection is None:
            raise AppConnectionNotFound(
                f"{self.where}: event '{caller}' has no connection to '{event_name}'; add "
                f'{{"app_connection": "{self.app_connection}", "event": "{event_name}", "type": "GET"|"POST"}} '
                f"to events.{caller}.connections in the app config"
            )
        return connection

    async def _attempt(
        self, session: aiohttp.ClientSession, request: Tuple[str, Any, Optional[str]], event_name: str,
        headers: Dict[str, str], datatype: Any, responses: Optional[Dict[int, type]], context: EventContext,
        attempt: int,
    ) -> List[Any]:
        assert self.state is not None
        balancer = self.state.load_balancer
        index = balancer.next_available_host(self.clock())
        if index is None:
            raise ClientLoadBalancerException(
                f"{self.where}: every host has its circuit breaker open ({', '.join(self.hosts)}); "
                f"calls resume after circuit_breaker_open_seconds={self.settings.circuit_breaker_open_seconds}"
            )
        host = balancer.host(index)
        method, params, body = request
        status: Optional[int] = None
        try:
            async with session.request(
                method, host + self.routes.routes[event_name], headers=headers, params=params, data=body
            ) as response:
                status = response.status
                text = await response.text()
                content_type = response.content_type
            if status >= 500 and not (responses and status in responses):
                raise ServerException(f"{event_name} answered {status} at {host}: {text[:_MAX_TEXT]}")
        except _RETRYABLE as exc:
            self._failure(index, host, status, attempt, exc, context)
            raise
        balancer.success(index)
        return parse_response(
            status=status, content_type=content_type, text=text, event_name=event_name,
            datatype=datatype, responses=responses,
        )

    def _failure(
        self, index: int, host: str, status: Optional[int], attempt: int, exc: BaseException, context: EventContext
    ) -> None:
        assert self.state is not None
        settings = self.settings
        opened = self.state.load_balancer.failure(
            index, self.clock(), settings.circuit_breaker_open_failures,
            settings.circuit_breaker_failure_reset_seconds, settings.circuit_breaker_open_seconds,
        )
        status_text = status if status is not None else "-"
        logger.warning(
            "%s: call failed: host=%s status=%s attempt=%s/%s: %s: %s",
            self.where, host, status_text, attempt, settings.retries + 1, type(exc).__name__, str(exc)[:_MAX_TEXT],
            extra={"extra": " | ".join(f"{k}={v}" for k, v in context.track_ids.items())},
        )
        if opened:
            logger.warning(
                "%s: circuit breaker open for host %s after %s consecutive failures: skipped for %s s",
                self.where, host, settings.circuit_breaker_open_failures, settings.circuit_breaker_open_seconds,
                extra={"extra": f"host={host}"},
            )
