"""``inputData`` between Dart and WorkManager ``Data`` (workmanager_android ``InputDataUtils.kt``).

Top-level ``None`` values are dropped; scalars travel as ``payload_<key>``; homogeneous lists as
typed arrays under ``payload_<key>``; maps, mixed lists and nested ``None`` as JSON under
``json_payload_<key>``. The handler gets ``{}`` when no input was given (0.9.1+).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

from harness.workmanager import Data

DART_TASK_KEY: Final = "dev.fluttercommunity.workmanager.DART_TASK"
UNIQUE_NAME_KEY: Final = "dev.fluttercommunity.workmanager.UNIQUE_NAME"
PAYLOAD_PREFIX: Final = "payload_"
JSON_PAYLOAD_PREFIX: Final = "json_payload_"
_SCALARS: Final = (str, bool, int, float, bytes)


class PayloadTypeError(Exception):
    """``IllegalArgumentException`` from ``InputDataUtils.kt`` for an unsupported value type."""


def _check_json(value: Any) -> None:
    if value is None or isinstance(value, str | bool | int | float):
        return
    if isinstance(value, list | tuple):
        for item in value:
            _check_json(item)
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise PayloadTypeError(
                    f"Unsupported payload type: {type(key).__name__}. Consider converting it to "
                    "a supported type."
                )
            _check_json(item)
        return
    raise PayloadTypeError(
        f"Unsupported payload type: {type(value).__name__}. Consider converting it to a "
        "supported type."
    )


def _homogeneous(values: list[Any] | tuple[Any, ...]) -> bool:
    if not values:
        return True
    kinds = {type(value) for value in values}
    return len(kinds) == 1 and next(iter(kinds)) in (str, bool, int, float)


def encode_input(
    task_name: str, unique_name: str, input_data: Mapping[str, Any] | None
) -> dict[str, object]:
    """The Data values ``buildTaskInputData`` stores (raises :class:`PayloadTypeError`)."""
    values: dict[str, object] = {DART_TASK_KEY: task_name, UNIQUE_NAME_KEY: unique_name}
    for key, value in (input_data or {}).items():
        if value is None:
            continue  # filterNotNullKeys
        if isinstance(value, _SCALARS):
            values[PAYLOAD_PREFIX + key] = value
        elif isinstance(value, list | tuple) and _homogeneous(value):
            values[PAYLOAD_PREFIX + key] = list(value)
        elif isinstance(value, list | tuple | Mapping):
            _check_json(value)
            values[JSON_PAYLOAD_PREFIX + key] = json.dumps(value, sort_keys=True)
        else:
            raise PayloadTypeError(
                f"Unsupported payload type for key '{key}': {type(value).__name__}. Consider "
                "converting it to a supported type."
            )
    return values


def decode_input(data: Data) -> dict[str, Any]:
    """What the Dart handler receives (``decodePayload`` + ``convertPigeonInputData``)."""
    decoded: dict[str, Any] = {}
    for key, value in data.key_value_map.items():
        if key.startswith(JSON_PAYLOAD_PREFIX):
            decoded[key.removeprefix(JSON_PAYLOAD_PREFIX)] = json.loads(str(value))
        elif key.startswith(PAYLOAD_PREFIX):
            decoded[key.removeprefix(PAYLOAD_PREFIX)] = (
                list(value) if isinstance(value, list | tuple) else value
            )
    return decoded
