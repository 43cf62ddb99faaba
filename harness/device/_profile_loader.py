"""Loading device profiles: by name from the bundled data files, merged with overrides.

``load_profile("budget", {"battery.capacity_mah": 3000})`` reads
``profiles/platform/android-<N>.yaml`` (the AOSP defaults of the device's Android version), lays
``profiles/budget.yaml`` over it, then the overrides (nested dicts or dotted names), and validates
the result. Every problem becomes a :class:`ProfileError` naming the profile, the setting, the bad
value and what is allowed.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any, Final, Literal, get_args, get_origin

import yaml
from pydantic import ValidationError
from pydantic.fields import FieldInfo

from harness._exceptions import ProfileError
from harness.device._profile import DeviceProfile

_PROFILES: Final = resources.files("harness.device") / "profiles"


def available_profiles() -> list[str]:
    """The names of the bundled device profiles (``pixel-like``, ``budget``, ...), sorted."""
    return sorted(
        entry.name.removesuffix(".yaml")
        for entry in _PROFILES.iterdir()
        if entry.is_file() and entry.name.endswith(".yaml")
    )


#: libyaml's safe loader when PyYAML was built with it (ten times faster than the pure one).
_SAFE_LOADER: Final = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@functools.lru_cache(maxsize=16)
def _parse_yaml(text: str) -> Any:
    """``text`` parsed, once per process per text: every run of a scenario file (each seed, the
    preflight) builds its device from the same few profile files. Callers must not mutate it."""
    return yaml.load(text, Loader=_SAFE_LOADER)


def _read_yaml(name: str, text: str) -> dict[str, Any]:
    """A fresh copy of the settings in ``text`` (the caller merges into it in place)."""
    data = _parse_yaml(text)
    if not isinstance(data, dict):
        raise ProfileError(f"device profile file {name!r} is not a mapping of settings")
    return copy.deepcopy(data)


def _merge(base: dict[str, Any], layer: Mapping[str, Any], where: str) -> None:
    """Lay ``layer`` over ``base`` in place; dotted keys address nested settings."""
    for key, value in layer.items():
        if not isinstance(key, str):
            raise ProfileError(f"{where}: setting name {key!r} is not a string")
        head, _, rest = key.partition(".")
        if rest:
            nested = base.setdefault(head, {})
            if not isinstance(nested, dict):
                raise ProfileError(
                    f"{where}: {key!r} addresses inside {head!r}, which is not a section"
                )
            _merge(nested, {rest: value}, where)
        elif isinstance(value, Mapping) and isinstance(base.get(key), dict):
            _merge(base[key], value, where)
        else:
            base[key] = copy.deepcopy(value)


def _field_info(loc: tuple[int | str, ...]) -> FieldInfo | None:
    model: Any = DeviceProfile
    info: FieldInfo | None = None
    for part in loc:
        if not isinstance(part, str) or not hasattr(model, "model_fields"):
            return info
        info = model.model_fields.get(part)
        if info is None:
            return None
        model = info.annotation
    return info


def _allowed(info: FieldInfo | None) -> str:
    """The allowed range of a field, from its ``ge``/``le`` constraints."""
    if info is None:
        return ""
    low = high = None
    for constraint in info.metadata:
        low = getattr(constraint, "ge", low)
        high = getattr(constraint, "le", high)
    if get_origin(info.annotation) is Literal:
        return "; allowed: " + ", ".join(repr(value) for value in get_args(info.annotation))
    annotation = getattr(info.annotation, "__name__", str(info.annotation))
    if low is not None and high is not None:
        return f"; allowed: {annotation} from {low} to {high}"
    return f"; allowed: {annotation}"


def _value_at(data: Any, loc: tuple[int | str, ...]) -> Any:
    for part in loc:
        found = (isinstance(data, dict) and part in data) or (
            isinstance(data, list) and isinstance(part, int) and part < len(data)
        )
        if not found:
            return None
        data = data[part]
    return data


def _problem(name: str, data: dict[str, Any], problem: Mapping[str, Any]) -> str:
    loc = tuple(
        part for part in problem["loc"] if not str(part).startswith(("function-", "constrained"))
    )
    field = ".".join(str(part) for part in loc) or "(profile)"
    kind = problem["type"]
    value = _value_at(data, loc)
    message = str(problem["msg"]).removeprefix("Value error, ")
    if kind == "extra_forbidden":
        return (
            f"device profile {name!r}: unknown setting {field!r} (value {value!r}); "
            "remove it or fix its name"
        )
    if kind == "missing":
        return f"device profile {name!r}: setting {field!r} is missing; add it to the profile"
    if kind == "value_error":
        return f"device profile {name!r}: {field}: {message}"
    return (
        f"device profile {name!r}: {field} = {value!r} is invalid ({message})"
        f"{_allowed(_field_info(loc))}; fix the profile file or the override"
    )


#: Validated bundled profiles by (name, frozen overrides): every run of a scenario file builds
#: the same device twice (preflight, then the run). A profile is frozen, so it is shared.
_VALIDATED: dict[tuple[str, Any], DeviceProfile] = {}
_VALIDATED_MAX: Final = 64


def _frozen(value: Any) -> Any:
    """A hashable key equal for equal overrides of the same types (``TypeError`` if none)."""
    if isinstance(value, Mapping):
        return (
            "map",
            tuple(sorted(((key, _frozen(item)) for key, item in value.items()), key=repr)),
        )
    if isinstance(value, list | tuple):
        return (type(value).__name__, tuple(_frozen(item) for item in value))
    if value is None or isinstance(value, str | int | float | bool):
        return (type(value).__name__, value)
    raise TypeError(f"not a plain override value: {type(value).__name__}")


def supported_android_versions() -> tuple[int, ...]:
    """The Android releases with platform defaults (``profiles/platform/android-<N>.yaml``)."""
    return tuple(
        sorted(
            int(entry.name.removeprefix("android-").removesuffix(".yaml"))
            for entry in (_PROFILES / "platform").iterdir()
            if entry.name.startswith("android-") and entry.name.endswith(".yaml")
        )
    )


def vendor_presets() -> list[str]:
    """The names of the bundled vendor presets (``stock``, ``samsung``, ...), sorted."""
    return sorted(
        entry.name.removesuffix(".yaml")
        for entry in (_PROFILES / "vendor").iterdir()
        if entry.is_file() and entry.name.endswith(".yaml")
    )


def _expand_vendor(name: str, data: dict[str, Any]) -> None:
    """``vendor: xiaomi`` or ``vendor: {preset: xiaomi, ...}``: the preset's fields laid under
    the fields written next to it (those win). ``custom`` has no file: every field is written."""
    vendor = data.get("vendor")
    if isinstance(vendor, str):
        vendor = {"preset": vendor}
    if not isinstance(vendor, dict) or not isinstance(vendor.get("preset"), str):
        return
    preset = vendor["preset"]
    if preset == "custom":
        data["vendor"] = vendor
        return
    presets = vendor_presets()
    if preset not in presets:
        raise ProfileError(
            f"device profile {name!r}: vendor preset {preset!r} does not exist; choose one of: "
            f"{', '.join([*presets, 'custom'])}"
        )
    base = _read_yaml(
        f"vendor {preset}", (_PROFILES / "vendor" / f"{preset}.yaml").read_text(encoding="utf-8")
    )
    _merge(base, vendor, f"device profile {name!r} vendor")
    data["vendor"] = base


def load_profile(name: str, overrides: Mapping[str, Any] | None = None) -> DeviceProfile:
    """The bundled profile ``name`` (or a ``.yaml`` file path) with ``overrides``, validated.

    A profile file of your own holds the device settings (see ``profiles/pixel-like.yaml``)
    and its ``android_version`` picks the platform defaults underneath.

    ``overrides`` may be nested (``{"battery": {"capacity_mah": 3000}}``) or dotted
    (``{"battery.capacity_mah": 3000}``); ``android_version`` in the overrides picks that
    version's platform defaults.
    """
    if name.endswith((".yaml", ".yml")):  # your own file may change between loads
        return _load_profile(name, overrides)
    try:
        key = (name, _frozen(overrides or {}))
    except TypeError:  # a value the profile rejects anyway; its error comes from validation
        return _load_profile(name, overrides)
    profile = _VALIDATED.get(key)
    if profile is None:
        profile = _load_profile(name, overrides)
        if len(_VALIDATED) >= _VALIDATED_MAX:
            _VALIDATED.clear()
        _VALIDATED[key] = profile
    return profile


def _load_profile(name: str, overrides: Mapping[str, Any] | None) -> DeviceProfile:
    names = available_profiles()
    own_file = Path(name)
    if name.endswith((".yaml", ".yml")) and own_file.is_file():
        device = _read_yaml(name, own_file.read_text(encoding="utf-8"))
    elif name in names:
        device = _read_yaml(name, (_PROFILES / f"{name}.yaml").read_text(encoding="utf-8"))
    else:
        raise ProfileError(
            f"device profile {name!r} does not exist; choose one of: {', '.join(names)} "
            "(or give the path of your own .yaml profile file)"
        )
    layer = dict(overrides or {})
    version = layer.get("android_version", device.get("android_version"))
    platform_file = _PROFILES / "platform" / f"android-{version}.yaml"
    if not platform_file.is_file():
        raise ProfileError(
            f"device profile {name!r}: android_version = {version!r} is not supported; "
            f"allowed: {', '.join(str(number) for number in supported_android_versions())}"
        )
    data = _read_yaml(f"android-{version}", platform_file.read_text(encoding="utf-8"))
    _merge(data, device, f"device profile {name!r}")
    _merge(data, layer, f"device profile {name!r} overrides")
    _expand_vendor(name, data)
    try:
        return DeviceProfile.model_validate(data)
    except ValidationError as error:
        problems = [_problem(name, data, problem) for problem in error.errors()]
        raise ProfileError("; ".join(problems)) from None
