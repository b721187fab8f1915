"""A lean httpx transport for the gateway's upstream: HTTP/1.1 on asyncio streams.

The gateway talks to its upstream through an ``httpx.AsyncClient``. httpx's default
transport (httpcore on anyio) costs about 2 ms of CPU per request on our test machine,
twenty times a bare asyncio stream and more than the whole mock model server; at a few
hundred requests per second that alone fills a core. :class:`StreamTransport` keeps the
httpx API (requests, responses, streaming, errors) and does the network part directly:
HTTP/1.1 parsed by h11 (uvicorn's parser), keep-alive connections pooled per origin,
TLS for ``https`` upstreams, time-outs from the client's settings. Errors are raised as
httpx's own exceptions, so callers catch ``httpx.HTTPError`` as usual.

The gateway's hot path skips httpx's request and response objects too (building a
request parses its URL, consults cookies and merges headers: about a third of the
upstream side's CPU) and calls :meth:`StreamTransport.exchange` with a target it parsed
once (:class:`Origin`).
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any

import h11
import httpx

_READ_BYTES = 65536
Headers = list[tuple[bytes, bytes]]
OriginKey = tuple[str, str, int]


@dataclass(frozen=True)
class Origin:
    """Where requests go, parsed once: scheme, host, port, the path to request and the
    ``Host`` header."""

    scheme: str
    host: str
    port: int
    target: bytes
    host_header: bytes

    @classmethod
    def of(cls, url: str | httpx.URL) -> Origin:
        parsed = httpx.URL(url)
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        return cls(parsed.scheme, parsed.host, port, parsed.raw_path, parsed.netloc)

    @property
    def key(self) -> OriginKey:
        return (self.scheme, self.host, self.port)


class _Connection:
    """One keep-alive connection: an asyncio stream pair and its h11 state machine."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.h11 = h11.Connection(our_role=h11.CLIENT)

    def close(self) -> None:
        self.writer.close()

    async def next_event(self, timeout: float | None) -> Any:
        while True:
            event = self.h11.next_event()
            if event is not h11.NEED_DATA:
                return event
            async with asyncio.timeout(timeout):  # no extra task, unlike wait_for
                data = await self.reader.read(_READ_BYTES)
            self.h11.receive_data(data)


class _Body(httpx.AsyncByteStream):
    """A response body read from the connection as the caller iterates it."""

    def __init__(self, transport: StreamTransport, origin: OriginKey,
                 connection: _Connection, timeout: float | None) -> None:
        self._transport = transport
        self._origin = origin
        self._connection: _Connection | None = connection
        self._timeout = timeout

    async def __aiter__(self) -> AsyncIterator[bytes]:
        connection = self._connection
        if connection is None:
            return
        try:
            while True:
                event = await connection.next_event(self._timeout)
                if isinstance(event, h11.Data):
                    yield bytes(event.data)
                elif isinstance(event, h11.EndOfMessage | h11.ConnectionClosed):
                    break
        except (OSError, TimeoutError, h11.RemoteProtocolError) as exc:
            await self.aclose()
            raise _as_httpx_error(exc) from None
        self._connection = None
        self._transport._release(self._origin, connection)

    async def read(self) -> bytes:
        """The whole body."""
        return b"".join([chunk async for chunk in self])

    async def aclose(self) -> None:
        if self._connection is not None:  # not read to the end: cannot be reused
            self._connection.close()
            self._connection = None


class StreamTransport(httpx.AsyncBaseTransport):
    """HTTP/1.1 over asyncio streams with a keep-alive pool (see the module doc).

    Parameters
    ----------
    max_idle:
        Idle connections kept per origin for reuse.
    """

    def __init__(self, *, max_idle: int = 256) -> None:
        self.max_idle = max_idle
        self._idle: dict[OriginKey, list[_Connection]] = {}
        self._tls = ssl.create_default_context()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        port = url.port or (443 if url.scheme == "https" else 80)
        body = b"".join([chunk async for chunk in request.stream])  # type: ignore[union-attr]
        headers = [(k, v) for k, v in request.headers.raw if k.lower() != b"content-length"]
        status, answer_headers, stream = await self.exchange(
            (url.scheme, url.host, port), request.method.encode("ascii"), url.raw_path,
            headers, body, request.extensions.get("timeout", {}), request)
        return httpx.Response(status, headers=answer_headers, stream=stream,
                              extensions={"http_version": b"HTTP/1.1"}, request=request)

    async def exchange(
        self, origin: OriginKey, method: bytes, target: bytes, headers: Headers, body: bytes,
        timeouts: Mapping[str, float | None], request: httpx.Request | None = None,
    ) -> tuple[int, Headers, _Body]:
        """Send one request and read the answer's head; the body is read from the stream.

        ``headers`` must hold ``Host`` and no ``Content-Length`` (added here); header
        names in the answer are lower-case. ``timeouts`` as httpx's (``connect``,
        ``write``, ``read``). Read the stream to its end (or ``aclose`` it) so the
        connection returns to the pool. Raises ``httpx.HTTPError`` subclasses.
        """
        headers = [*headers, (b"content-length", str(len(body)).encode())]
        for attempt in range(2):  # a pooled connection the server closed: retry once, fresh
            connection, reused = await self._acquire(origin, timeouts.get("connect"))
            try:
                data = connection.h11.send(h11.Request(
                    method=method, target=target, headers=headers))
                data += connection.h11.send(h11.Data(data=body)) if body else b""
                data += connection.h11.send(h11.EndOfMessage())
                connection.writer.write(data)
                if connection.writer.transport.get_write_buffer_size():
                    async with asyncio.timeout(timeouts.get("write")):
                        await connection.writer.drain()
                event = await connection.next_event(timeouts.get("read"))
                while isinstance(event, h11.InformationalResponse):
                    event = await connection.next_event(timeouts.get("read"))
            except (OSError, TimeoutError, h11.RemoteProtocolError) as exc:
                connection.close()
                if reused and attempt == 0 and not isinstance(exc, TimeoutError):
                    continue
                raise _as_httpx_error(exc, request) from None
            if isinstance(event, h11.ConnectionClosed):
                connection.close()
                if reused and attempt == 0:
                    continue
                raise httpx.RemoteProtocolError("upstream closed the connection",
                                                request=request)
            assert isinstance(event, h11.Response)
            return (event.status_code, list(event.headers),
                    _Body(self, origin, connection, timeouts.get("read")))
        raise httpx.RemoteProtocolError("upstream closed the connection", request=request)

    async def _acquire(self, origin: OriginKey, timeout: float | None
                       ) -> tuple[_Connection, bool]:
        idle = self._idle.get(origin)
        while idle:
            connection = idle.pop()
            if connection.h11.our_state is h11.IDLE and not connection.reader.at_eof():
                return connection, True
            connection.close()
        scheme, host, port = origin
        try:
            async with asyncio.timeout(timeout):
                reader, writer = await asyncio.open_connection(
                    host, port, ssl=self._tls if scheme == "https" else None)
        except TimeoutError:
            raise httpx.ConnectTimeout(f"connecting to {host}:{port} timed out") from None
        except OSError as exc:
            raise httpx.ConnectError(f"cannot connect to {host}:{port}: {exc}") from None
        return _Connection(reader, writer), False

    def _release(self, origin: OriginKey, connection: _Connection) -> None:
        if connection.h11.our_state is h11.DONE and connection.h11.their_state is h11.DONE:
            connection.h11.start_next_cycle()
            idle = self._idle.setdefault(origin, [])
            if len(idle) < self.max_idle:
                idle.append(connection)
                return
        connection.close()

    async def aclose(self) -> None:
        for idle in self._idle.values():
            for connection in idle:
                connection.close()
        self._idle.clear()


def _as_httpx_error(exc: BaseException, request: httpx.Request | None = None
                    ) -> httpx.HTTPError:
    if isinstance(exc, TimeoutError):
        return httpx.ReadTimeout("upstream did not answer in time", request=request)
    if isinstance(exc, h11.RemoteProtocolError):
        return httpx.RemoteProtocolError(f"bad answer from upstream: {exc}", request=request)
    return httpx.ReadError(f"upstream connection failed: {exc}", request=request)
