"""The scenario's ``versions:`` block: the library versions its apps are built with.

Each value is checked against the versions modelled (:class:`WorkManagerVersion`,
:class:`PluginVersion`); a bad one is an error naming the field, the value and the allowed values.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict

from harness._exceptions import DefinitionError
from harness.flutter import DEFAULT_PLUGIN_VERSION, PluginVersion
from harness.workmanager import DEFAULT_WORK_VERSION, WorkManagerVersion


def _work_version(value: Any) -> str:
    try:
        return WorkManagerVersion.parse(value, "androidx_work").value
    except DefinitionError as error:
        raise ValueError(str(error).removeprefix("androidx_work: ")) from None


def _plugin_version(value: Any) -> str:
    try:
        return PluginVersion.parse(value, "flutter_workmanager").value
    except DefinitionError as error:
        raise ValueError(str(error).removeprefix("flutter_workmanager: ")) from None


class VersionsSpec(BaseModel):
    """The library versions the apps are built with; each default is the newest stable line.

    ``androidx_work``: "2.9", "2.10", "2.11" or "2.12" (the default, 2.12.0 stable 2026-09-23);
    ``flutter_workmanager``: "0.10.7", "0.10.9" or "0.10.10" (and
    later 0.10.x). The Android release is the device's (``device.overrides.android_version``).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    androidx_work: Annotated[str, BeforeValidator(_work_version)] = DEFAULT_WORK_VERSION.value
    flutter_workmanager: Annotated[str, BeforeValidator(_plugin_version)] = (
        DEFAULT_PLUGIN_VERSION.value
    )
