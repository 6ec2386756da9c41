# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What a reverse proxy does in front of Odoo's multi-worker server, for
`make run WORKERS=N`: connections opening with a /websocket request go to
the websocket (gevent) process, all others to the HTTP workers. Browsers
open a connection of its own for a websocket, so the first request line
decides for the whole connection."""

import asyncio
import sys


async def pipe(reader, writer):
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


def handler(http_port, gevent_port):
    async def handle(client_reader, client_writer):
        try:
            first = await client_reader.readuntil(b"\n")
        except (
            asyncio.IncompleteReadError,
            asyncio.LimitOverrunError,
            ConnectionError,
        ):
            client_writer.close()
            return
        path = first.split(b" ")[1] if first.count(b" ") >= 2 else b""
        port = gevent_port if path.startswith(b"/websocket") else http_port
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            client_writer.close()
            return
        writer.write(first)
        await asyncio.gather(pipe(client_reader, writer), pipe(reader, client_writer))

    return handle


async def main(port, http_port, gevent_port):
    server = await asyncio.start_server(
        handler(http_port, gevent_port), "0.0.0.0", port
    )
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(*(int(arg) for arg in sys.argv[1:4])))
