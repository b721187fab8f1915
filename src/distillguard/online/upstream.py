"""A lean httpx transport for the gateway's upstream: HTTP/1.1 on an asyncio protocol.

The gateway talks to its upstream through an ``httpx.AsyncClient``. httpx's default
transport (httpcore on anyio) costs about 2 ms of CPU per request on our test machine,
twenty times a bare asyncio stream and more than the whole mock model server; at a few
hundred requests per second that alone fills a core. :class:`StreamTransport` keeps the
httpx API (requests, responses, streaming, errors) and does the network part directly:
answers parsed by httptools (llhttp, the C parser uvicorn uses), keep-alive connections
pooled per origin, TLS for ``https`` upstreams, time-outs from the client's settings.
Errors are raised as httpx's own exceptions, so callers catch ``httpx.HTTPError`` as
usual.

Each connection is an :class:`asyncio.Protocol` that feeds bytes straight to the parser,
so an answer costs the event loop one callback per read and the caller one wake-up
(h11 on asyncio streams, the previous design, was about a third of the gateway's CPU).
The request head is plain bytes: the gateway sends one fixed method, path and header
set, checked once here (:func:`_head`), never text from its clients.

The gateway's hot path skips httpx's request and response objects too (building a
request parses its URL, consults cookies and merges headers: about a third of the
upstream side's CPU) and calls :meth:`StreamTransport.exchange` with a target it parsed
once (:class:`Origin`).
"""

from __future__ import annotations

import asyncio
import ssl
from collections import deque
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import cast

import httptools
import httpx

Headers = list[tuple[bytes, bytes]]
OriginKey = tuple[str, str, int]
#: A streamed answer's unread body beyond this pauses reading from the socket.
_BUFFERED_BYTES = 1 << 20
#: Characters a header name or value may not hold (they would split or end the head).
_FORBIDDEN = (b"\r", b"\n", b"\0")


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


class _Connection(asyncio.Protocol):
    """One keep-alive connection: the socket's protocol and the answer being parsed.

    httptools calls the ``on_*`` methods while :meth:`data_received` feeds it; they fill
    the current answer's status, headers and body chunks and wake the one waiting caller.
    """

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self._parser = httptools.HttpResponseParser(self)
        self._waiter: asyncio.Future[None] | None = None
        self._writable: asyncio.Future[None] | None = None
        self._reading_paused = False
        self._start_answer(head_request=False)

    def _start_answer(self, *, head_request: bool) -> None:
        self.status = 0
        self.headers: Headers = []
        self.chunks: deque[bytes] = deque()
        self.buffered = 0
        self.head_done = False
        self.complete = False
        self.keep_alive = False
        self.error: BaseException | None = None
        self._head_request = head_request
        self._informational = False
        self._until_close = False

    # -- asyncio.Protocol ---------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports implement asyncio.Transport without subclassing it
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self.error = httpx.RemoteProtocolError(f"bad answer from upstream: {exc}")
            self.close()
        self._wake()

    def eof_received(self) -> bool:
        return False  # close our side too

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self.head_done and self._until_close and not self.complete:
            self.complete = True  # a body without a length ends where the connection does
        if self._writable is not None and not self._writable.done():
            self._writable.set_result(None)
        self._wake()

    def pause_writing(self) -> None:
        self._writable = asyncio.get_running_loop().create_future()

    def resume_writing(self) -> None:
        if self._writable is not None and not self._writable.done():
            self._writable.set_result(None)
        self._writable = None

    # -- httptools callbacks --------------------------------------------------------------

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name.lower(), value))

    def on_headers_complete(self) -> None:
        status = self._parser.get_status_code()
        if 100 <= status < 200:  # 100 Continue and the like: the real answer follows
            self._informational = True
            self.headers = []
            return
        self.status = status
        self.head_done = True
        names = {name for name, _ in self.headers}
        self._until_close = (b"content-length" not in names
                             and b"transfer-encoding" not in names
                             and status not in (204, 304))
        if self._head_request:
            self.complete = True  # no body follows, whatever the headers say

    def on_body(self, body: bytes) -> None:
        self.chunks.append(body)
        self.buffered += len(body)
        if self.buffered > _BUFFERED_BYTES and self.transport is not None \
                and not self._reading_paused:
            self._reading_paused = True
            self.transport.pause_reading()

    def on_message_complete(self) -> None:
        if self._informational:
            self._informational = False
            return
        self.keep_alive = self._parser.should_keep_alive()  # only valid until it returns
        self.complete = True

    # -- the caller's side ---------------------------------------------------------------

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def wait(self, timeout: float | None) -> None:
        """Until something new arrives (data, the end, an error or the close)."""
        self._waiter = asyncio.get_running_loop().create_future()
        try:
            async with asyncio.timeout(timeout):  # no extra task, unlike wait_for
                await self._waiter
        finally:
            self._waiter = None

    def take(self) -> bytes:
        """The body read so far (and reading resumed when it was paused)."""
        data = self.chunks.popleft() if len(self.chunks) == 1 else b"".join(self.chunks)
        self.chunks.clear()
        self.buffered = 0
        if self._reading_paused and self.transport is not None:
            self._reading_paused = False
            self.transport.resume_reading()
        return data

    def failure(self) -> httpx.HTTPError:
        if isinstance(self.error, httpx.HTTPError):
            return self.error
        if self.head_done:
            return httpx.ReadError("upstream closed the connection mid-answer")
        return httpx.RemoteProtocolError("upstream closed the connection")

    async def send(self, data: bytes, timeout: float | None, *, head_request: bool) -> None:
        assert self.transport is not None
        self._start_answer(head_request=head_request)
        self.transport.write(data)
        if self._writable is not None:
            async with asyncio.timeout(timeout):
                await self._writable

    @property
    def reusable(self) -> bool:
        return (self.complete and not self.closed and self.error is None
                and self.keep_alive and not self._head_request)

    def close(self) -> None:
        if self.transport is not None and not self.closed:
            self.transport.close()
        self.closed = True


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
        while True:
            if connection.chunks:
                yield connection.take()
                continue
            if connection.complete:
                break
            await self._more(connection)
        self._finish(connection)

    async def read(self) -> bytes:
        """The whole body (waits for the end of the answer, then joins it once)."""
        connection = self._connection
        if connection is None:
            return b""
        while not connection.complete:
            await self._more(connection)
        data = connection.take()
        self._finish(connection)
        return data

    async def _more(self, connection: _Connection) -> None:
        """Wait for more of the answer; on a failure or time-out the connection is closed
        and the httpx error raised."""
        try:
            if connection.error is not None or connection.closed:
                raise connection.failure()
            await connection.wait(self._timeout)
        except TimeoutError:
            await self.aclose()
            raise httpx.ReadTimeout("upstream did not answer in time") from None
        except httpx.HTTPError:
            await self.aclose()
            raise

    def _finish(self, connection: _Connection) -> None:
        self._connection = None
        self._transport._release(self._origin, connection)

    async def aclose(self) -> None:
        if self._connection is not None:  # not read to the end: cannot be reused
            self._connection.close()
            self._connection = None


def _head(method: bytes, target: bytes, headers: Headers, length: int) -> bytes:
    """The request head; refuses bytes that would end a line or the head early."""
    parts = [method, target, *(item for header in headers for item in header)]
    if any(c in part for part in parts for c in _FORBIDDEN) or b" " in method + target:
        raise httpx.LocalProtocolError("a request line or header holds a forbidden byte")
    lines = [method, b" ", target, b" HTTP/1.1\r\n"]
    for name, value in headers:
        lines += [name, b": ", value, b"\r\n"]
    lines += [b"content-length: ", str(length).encode(), b"\r\n\r\n"]
    return b"".join(lines)


class StreamTransport(httpx.AsyncBaseTransport):
    """HTTP/1.1 over asyncio with a keep-alive pool (see the module doc).

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
        payload = _head(method, target, headers, len(body)) + body
        read_timeout = timeouts.get("read")
        for attempt in range(2):  # a pooled connection the server closed: retry once, fresh
            connection, reused = await self._acquire(origin, timeouts.get("connect"))
            try:
                await connection.send(payload, timeouts.get("write"),
                                      head_request=method == b"HEAD")
                while not connection.head_done:
                    if connection.error is not None or connection.closed:
                        raise connection.failure()
                    await connection.wait(read_timeout)
            except TimeoutError:
                connection.close()
                raise httpx.ReadTimeout("upstream did not answer in time",
                                        request=request) from None
            except httpx.HTTPError as exc:
                connection.close()
                if reused and attempt == 0 and connection.error is None:
                    continue  # closed before it answered anything: a stale pooled socket
                exc.request = request  # type: ignore[assignment]
                raise
            return (connection.status, connection.headers,
                    _Body(self, origin, connection, read_timeout))
        raise httpx.RemoteProtocolError("upstream closed the connection", request=request)

    async def _acquire(self, origin: OriginKey, timeout: float | None
                       ) -> tuple[_Connection, bool]:
        idle = self._idle.get(origin)
        while idle:
            connection = idle.pop()
            if not connection.closed:
                return connection, True
        scheme, host, port = origin
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                _, connection = await loop.create_connection(
                    _Connection, host, port, ssl=self._tls if scheme == "https" else None)
        except TimeoutError:
            raise httpx.ConnectTimeout(f"connecting to {host}:{port} timed out") from None
        except OSError as exc:
            raise httpx.ConnectError(f"cannot connect to {host}:{port}: {exc}") from None
        return connection, False

    def _release(self, origin: OriginKey, connection: _Connection) -> None:
        if connection.reusable:
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
