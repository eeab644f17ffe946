"""Reading LSP messages from the client's byte stream, recovering from broken input.

A message without a ``Content-Length`` header has a body that ends without a newline, so
the next message's header is read as the end of the same line: the header is looked for
at the end of each line, not only as a whole line, and the stray text is skipped. A body
that is not JSON gets a parse error; a request whose parameters do not fit its method
gets an invalid-params error (a JSON-RPC response, as the protocol requires) instead of
going unanswered.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidRequest, JsonRpcParseError

#: Larger bodies are taken for a broken header and skipped (an editor buffer is far
#: smaller; a huge length would make the reader swallow every later message).
MAX_BODY = 64 * 1024 * 1024
_CONTENT_LENGTH = re.compile(rb"Content-Length:[ \t]*(\d{1,12})[ \t]*\r?\n$", re.IGNORECASE)

logger = logging.getLogger(__name__)


def _not_a_decoding_trace(record: logging.LogRecord) -> bool:
    """pygls logs a traceback for every message it cannot decode; those are answered
    here, in one line."""
    return not str(record.msg).startswith("Unable to deserialize message")


logging.getLogger("pygls.protocol.json_rpc").addFilter(_not_a_decoding_trace)


async def read_messages(stop: threading.Event, reader: Any, protocol: Any) -> None:
    """Hand every framed message read from ``reader`` to ``protocol`` until end of input
    or ``stop``; lines outside a frame are skipped."""
    length: int | None = None
    while not stop.is_set():
        line = await reader.readline()
        if not line:
            return
        header = _CONTENT_LENGTH.search(line)
        if header:
            length = int(header.group(1))
            continue
        if line.strip() or length is None:
            continue
        if length > MAX_BODY:
            logger.error("skipped a message claiming %d bytes", length)
            length = None
            continue
        body = await reader.readexactly(length)
        length = None
        if not body:
            return
        dispatch(protocol, body)


def dispatch(protocol: Any, body: bytes) -> None:
    """Decode one message body and hand it to ``protocol``, answering a request that
    cannot be decoded with a JSON-RPC error."""
    try:
        raw = json.loads(body)
    except ValueError as error:
        _reply_error(protocol, None, JsonRpcParseError(f"Parse error: {error}"))
        return
    request_id = raw.get("id") if isinstance(raw, dict) and "method" in raw else None
    try:
        if not isinstance(raw, dict):
            raise JsonRpcInvalidRequest()
        message = protocol.structure_message(raw)
    except JsonRpcException as error:
        if request_id is not None:
            _reply_error(protocol, request_id, error)
        else:
            logger.error("skipped a message that does not decode: %s", error)
        return
    try:
        protocol.handle_message(message)
    except Exception:  # a handler's failure must not end the session
        logger.exception("failed to handle a message")


def _reply_error(protocol: Any, request_id: Any, error: JsonRpcException) -> None:
    response = types.ResponseError(code=error.code, message=error.message)
    protocol._send_response(request_id, error=response)
