"""The gateway's upstream transport: keep-alive, chunked bodies, closed connections, errors."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable

import httpx
import pytest

from distillguard.online.mock_upstream import MockUpstream, completion
from distillguard.online.upstream import StreamTransport
from tests.test_online_gateway import serving

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
CHAT = {"model": "m", "messages": [{"role": "user", "content": "hello"}]}


async def read_request(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                   if line.lower().startswith(b"content-length")), 0)
    return head + await reader.readexactly(length)


async def with_server(handler: Handler, client_code: Callable[[str], Awaitable[None]]
                      ) -> list[int]:
    """Run a raw asyncio HTTP server on loopback; returns its accepted connection count."""
    accepted: list[int] = []

    async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(1)
        try:
            await handler(reader, writer)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(on_connect, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        await client_code(f"http://127.0.0.1:{port}")
    return accepted


def test_when_requests_follow_each_other_then_one_connection_is_reused():
    with serving(MockUpstream()) as url:
        async def run() -> StreamTransport:
            transport = StreamTransport()
            async with httpx.AsyncClient(transport=transport) as client:
                for _ in range(20):
                    answer = await client.post(url + "/v1/chat/completions", json=CHAT)
                    assert answer.json() == completion(CHAT)
                assert sum(len(idle) for idle in transport._idle.values()) == 1
            return transport

        transport = asyncio.run(run())
    assert transport._idle == {}  # closed with the client


def test_when_the_body_is_chunked_then_it_is_read_whole_and_streamed():
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n"
                     b"content-type: text/event-stream\r\n\r\n"
                     b"6\r\ndata: \r\n3\r\nab\n\r\n0\r\n\r\n")
        await writer.drain()
        await read_request(reader)  # keep-alive: a second request on the same socket
        writer.write(b"HTTP/1.1 204 No Content\r\n\r\n")
        await writer.drain()

    async def client_code(url: str) -> None:
        async with httpx.AsyncClient(transport=StreamTransport()) as client:
            async with client.stream("POST", url, content=b"{}") as answer:
                chunks = [c async for c in answer.aiter_raw()]
            assert b"".join(chunks) == b"data: ab\n"
            assert (await client.post(url, content=b"{}")).status_code == 204

    assert asyncio.run(with_server(handler, client_code)) == [1]


def test_when_a_pooled_connection_was_closed_then_the_request_is_retried_fresh():
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
        await writer.drain()
        # then close while the client keeps the connection in its pool

    async def client_code(url: str) -> None:
        async with httpx.AsyncClient(transport=StreamTransport()) as client:
            for _ in range(3):
                answer = await client.post(url, content=b"{}")
                assert answer.text == "ok"
                await asyncio.sleep(0.05)

    assert len(asyncio.run(with_server(handler, client_code))) == 3


def test_when_the_upstream_does_not_answer_then_read_timeout():
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        await asyncio.sleep(5)

    async def client_code(url: str) -> None:
        async with httpx.AsyncClient(transport=StreamTransport(), timeout=0.2) as client:
            with pytest.raises(httpx.ReadTimeout):
                await client.post(url, content=b"{}")

    asyncio.run(with_server(handler, client_code))


def test_when_nothing_listens_then_connect_error():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]

        async def run() -> None:
            async with httpx.AsyncClient(transport=StreamTransport()) as client:
                with pytest.raises(httpx.ConnectError):
                    await client.post(f"http://127.0.0.1:{port}/", content=b"{}")

        asyncio.run(run())


def test_when_the_answer_is_malformed_then_remote_protocol_error():
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"NOT HTTP AT ALL\r\n\r\n")
        await writer.drain()

    async def client_code(url: str) -> None:
        async with httpx.AsyncClient(transport=StreamTransport()) as client:
            with pytest.raises(httpx.RemoteProtocolError):
                await client.post(url, content=b"{}")

    asyncio.run(with_server(handler, client_code))


def test_when_the_body_has_no_length_then_it_ends_with_the_connection():
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\nuntil ")
        await writer.drain()
        await asyncio.sleep(0.05)
        writer.write(b"the end")
        await writer.drain()

    async def client_code(url: str) -> None:
        transport = StreamTransport()
        async with httpx.AsyncClient(transport=transport) as client:
            answer = await client.post(url, content=b"{}")
            assert answer.text == "until the end"
            assert transport._idle.get(("http", "127.0.0.1", int(url.rsplit(":", 1)[1]))) \
                in (None, [])  # a connection that ended the body is not reused

    asyncio.run(with_server(handler, client_code))


def test_when_an_informational_answer_comes_first_then_the_final_one_is_returned():
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 100 Continue\r\n\r\n"
                     b"HTTP/1.1 201 Created\r\ncontent-length: 4\r\nx-a: b\r\n\r\ndone")
        await writer.drain()

    async def client_code(url: str) -> None:
        async with httpx.AsyncClient(transport=StreamTransport()) as client:
            answer = await client.post(url, content=b"{}")
            assert (answer.status_code, answer.text, answer.headers["x-a"]) == (201, "done", "b")

    asyncio.run(with_server(handler, client_code))


def test_when_a_streamed_body_is_large_then_it_arrives_whole_while_reading_pauses():
    size = 5 << 20  # over the 1 MiB the transport buffers before pausing the socket

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n" % size)
        for _ in range(size // 65536):
            writer.write(b"x" * 65536)
            await writer.drain()

    async def client_code(url: str) -> None:
        async with httpx.AsyncClient(transport=StreamTransport()) as client:
            async with client.stream("POST", url, content=b"{}") as answer:
                total = 0
                async for chunk in answer.aiter_raw():
                    total += len(chunk)
                    await asyncio.sleep(0.001)  # a slow reader: the socket is paused
            assert total == size

    asyncio.run(with_server(handler, client_code))


def test_when_the_upstream_closes_mid_answer_then_read_error():
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nonly part")
        await writer.drain()

    async def client_code(url: str) -> None:
        async with httpx.AsyncClient(transport=StreamTransport()) as client:
            with pytest.raises(httpx.ReadError):
                await client.post(url, content=b"{}")

    asyncio.run(with_server(handler, client_code))


@pytest.mark.parametrize("header", [
    (b"x-evil", b"a\r\nx-injected: 1"), (b"x-evil\n", b"a"), (b"x-nul", b"a\0b"),
])
def test_when_a_header_holds_a_line_break_then_nothing_is_sent(header):
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)

    async def client_code(url: str) -> None:
        transport = StreamTransport()
        port = int(url.rsplit(":", 1)[1])
        with pytest.raises(httpx.LocalProtocolError):
            await transport.exchange(("http", "127.0.0.1", port), b"POST", b"/",
                                     [(b"host", b"x"), header], b"{}", {})
        await transport.aclose()

    assert asyncio.run(with_server(handler, client_code)) == []
