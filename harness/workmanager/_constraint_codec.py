"""How Room stores the ``Constraints`` columns that are not plain numbers.

``content_uri_triggers`` and ``required_network_request`` are BLOBs written with a Java
``ObjectOutputStream`` (``W/impl/model/WorkTypeConverters.kt``): the stream header ``AC ED 00 05``,
then the primitive writes in block-data records (``TC_BLOCKDATA`` ``0x77`` and a 1-byte length,
or ``TC_BLOCKDATALONG`` ``0x7A`` and a 4-byte length, of at most 1,024 bytes each,
``ObjectOutputStream.BlockDataOutputStream``). No trigger (no request) is an empty BLOB.

* triggers (``setOfTriggersToByteArray``): ``writeInt(count)``, then per trigger
  ``writeUTF(uri)`` and ``writeBoolean(isTriggeredForDescendants)``;
* a network request (``fromNetworkRequest``): ``writeInt`` of the number of transports and each
  transport, then of the number of capabilities and each capability, in ascending order.
"""

from __future__ import annotations

import struct
from typing import Final

from harness.platform import NetCapability, NetTransport, NetworkRequest
from harness.workmanager._constraints import ContentUriTrigger
from harness.workmanager._data_codec import _read_utf, _write_utf

_STREAM_HEADER: Final = b"\xac\xed\x00\x05"
_TC_BLOCKDATA: Final = 0x77
_TC_BLOCKDATALONG: Final = 0x7A
_MAX_BLOCK_SIZE: Final = 1024


def _object_stream(data: bytes) -> bytes:
    """``ObjectOutputStream`` around ``data`` written with primitive writes."""
    out = bytearray(_STREAM_HEADER)
    for start in range(0, len(data), _MAX_BLOCK_SIZE):
        block = data[start : start + _MAX_BLOCK_SIZE]
        if len(block) <= 0xFF:
            out += bytes((_TC_BLOCKDATA, len(block)))
        else:
            out += bytes((_TC_BLOCKDATALONG,)) + struct.pack(">i", len(block))
        out += block
    return bytes(out)


def _block_data(raw: bytes) -> bytes:
    """The primitive data of an ``ObjectOutputStream`` written by :func:`_object_stream`."""
    if not raw.startswith(_STREAM_HEADER):
        raise ValueError("not a Java object stream (no AC ED 00 05 header)")
    data = bytearray()
    offset = len(_STREAM_HEADER)
    while offset < len(raw):
        marker = raw[offset]
        if marker == _TC_BLOCKDATA:
            length, offset = raw[offset + 1], offset + 2
        elif marker == _TC_BLOCKDATALONG:
            (length,) = struct.unpack_from(">i", raw, offset + 1)
            offset += 5
        else:
            raise ValueError(f"unexpected object stream record 0x{marker:02x}")
        data += raw[offset : offset + length]
        offset += length
    return bytes(data)


def triggers_to_bytes(triggers: tuple[ContentUriTrigger, ...]) -> bytes:
    """``setOfTriggersToByteArray``."""
    if not triggers:
        return b""
    data = struct.pack(">i", len(triggers))
    for trigger in triggers:
        data += _write_utf(trigger.uri) + bytes((int(trigger.is_triggered_for_descendants),))
    return _object_stream(data)


def bytes_to_triggers(raw: bytes) -> tuple[ContentUriTrigger, ...]:
    """``byteArrayToSetOfTriggers``."""
    if not raw:
        return ()
    data = _block_data(raw)
    (count,) = struct.unpack_from(">i", data, 0)
    offset = 4
    triggers = []
    for _ in range(count):
        uri, offset = _read_utf(data, offset)
        triggers.append(ContentUriTrigger(uri, data[offset] != 0))
        offset += 1
    return tuple(triggers)


def network_request_to_bytes(request: NetworkRequest | None) -> bytes:
    """``fromNetworkRequest``."""
    if request is None:
        return b""
    transports = sorted(int(t) for t in request.transports)
    capabilities = sorted(int(c) for c in request.capabilities)
    data = struct.pack(f">i{len(transports)}i", len(transports), *transports)
    data += struct.pack(f">i{len(capabilities)}i", len(capabilities), *capabilities)
    return _object_stream(data)


def bytes_to_network_request(raw: bytes) -> NetworkRequest | None:
    """``toNetworkRequest``."""
    if not raw:
        return None
    data = _block_data(raw)
    (count,) = struct.unpack_from(">i", data, 0)
    transports = struct.unpack_from(f">{count}i", data, 4)
    offset = 4 + 4 * count
    (count,) = struct.unpack_from(">i", data, offset)
    capabilities = struct.unpack_from(f">{count}i", data, offset + 4)
    return NetworkRequest(
        frozenset(NetCapability(c) for c in capabilities),
        frozenset(NetTransport(t) for t in transports),
    )
