"""A fleet's population: device profiles with shares, each device's seed and its profile.

A scenario's ``population:`` section turns one scenario into a fleet of devices::

    population:
      devices: 100                     # the default fleet size (`--devices N` overrides it)
      profiles:
        - profile: pixel-like
          share: 60%
        - profile: budget
          share: 30%
        - name: pixel-low-battery      # a label for the report (default: the profile's name)
          profile: pixel-like
          share: 10%
          overrides: {battery.initial_level: 15}

Device ``i`` of a fleet with seed ``S`` runs with the seed :func:`device_seed` ``(S, i)`` (SHA-256
of both, so devices never share a seed and adding devices never changes the others) and the
profile :func:`assign_profile` gives it: a fixed interleaving (Tijdeman's rule) that depends on
``i`` alone, so the first ``N`` devices of any fleet hold each share within one device (exactly,
when the share of ``N`` is whole: 1,000 devices give 600/300/100) and ``harness replay --device
17`` needs no fleet size.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Annotated, Any, Final

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from harness.scenario._life_spec import LifeSpec, life_data
from harness.scenario._yaml import quoted

#: The most devices one fleet may have (a bitmap of done devices is kept: one bit each).
MAX_DEVICES: Final = 10_000_000
_PERCENT_RE: Final = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s*$")


def _share(value: Any) -> Fraction:
    """A share written ``60%`` or ``12.5%`` (a percentage), kept exact as a fraction of 1."""
    text = value if isinstance(value, str) else None
    match = _PERCENT_RE.match(text) if text is not None else None
    if match is None:
        raise ValueError(
            f"{quoted(value)} is not a share; write a percentage like '60%' or '12.5%'"
        )
    try:
        percent = Fraction(Decimal(match.group(1)))
    except InvalidOperation:  # pragma: no cover - the pattern only admits decimals
        raise ValueError(f"{quoted(value)} is not a percentage") from None
    if not 0 < percent <= 100:
        raise ValueError(f"share {quoted(value)} must be more than 0% and at most 100%")
    return percent / 100


Share = Annotated[Fraction, BeforeValidator(_share)]


class ProfileShare(BaseModel):
    """One part of a population: a device profile, its share, overrides of its settings."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    profile: str
    share: Share
    name: str | None = None
    overrides: dict[str, Any] = Field(default_factory=dict)
    #: the life this part's devices draw (a preset name or sections, as a scenario's ``life:``);
    #: none: the scenario's ``life:``, else the part's profile's
    life: LifeSpec | None = None

    @field_validator("life", mode="before")
    @classmethod
    def _life_preset(cls, value: Any) -> Any:
        return life_data(value)

    @property
    def label(self) -> str:
        """The name the report uses for this part (``name``, else the profile's name)."""
        return self.name if self.name is not None else self.profile


class PopulationSpec(BaseModel):
    """The ``population:`` section: the default fleet size and the profiles with their shares."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    devices: int = Field(default=100, ge=1, le=MAX_DEVICES)
    profiles: list[ProfileShare] = Field(min_length=1)

    @model_validator(mode="after")
    def _whole(self) -> PopulationSpec:
        total = sum((entry.share for entry in self.profiles), Fraction(0))
        if total != 1:
            shares = " + ".join(_percent(entry.share) for entry in self.profiles)
            raise ValueError(
                f"the shares add up to {_percent(total)} ({shares}), not 100%; make them sum "
                "to 100%"
            )
        labels = [entry.label for entry in self.profiles]
        repeated = sorted({label for label in labels if labels.count(label) > 1})
        if repeated:
            raise ValueError(
                f"two parts are both called {quoted(repeated[0])}; give each part with the same "
                "profile its own 'name' (the report's per-profile breakdown uses it)"
            )
        return self

    @property
    def labels(self) -> tuple[str, ...]:
        """Each part's name, in the order the file lists them."""
        return tuple(entry.label for entry in self.profiles)

    @property
    def shares(self) -> tuple[Fraction, ...]:
        """Each part's share, in the order the file lists them (they sum to 1)."""
        return tuple(entry.share for entry in self.profiles)


def _percent(share: Fraction) -> str:
    return f"{float(share * 100):g}%"


def device_seed(fleet_seed: int, device: int) -> int:
    """The run seed of device ``device`` of the fleet with seed ``fleet_seed``: the first 63
    bits of SHA-256 of both (stable across Python versions and processes, unlike ``hash``)."""
    digest = hashlib.sha256(f"harness.fleet/{fleet_seed}/{device}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def assign_profile(shares: Sequence[Fraction], device: int) -> int:
    """The part (an index into ``shares``) device ``device`` belongs to.

    Devices are dealt one by one by Tijdeman's rule for the "chairman assignment problem"
    (R. Tijdeman, "The chairman assignment problem", Discrete Mathematics 32, 1980): among the
    parts at least ``1 / (2k - 2)`` below their share of the devices dealt so far (``k`` parts),
    the one whose next device is due first. Every prefix of ``N`` devices then holds each part's
    share of ``N`` within ``1 - 1 / (2k - 2)`` devices, so exactly when that share is whole
    (1,000 devices at 60/30/10 % give 600/300/100, as largest-remainder apportionment would);
    and device ``i``'s part depends on ``i`` alone. The simpler "largest deficit" rule drifts
    further (shares 1,1,1,6,6 of 15 put a part 1.07 devices behind). It costs O(device * parts);
    :class:`ProfileDeal` deals a fleet in order at O(parts) per device.
    """
    deal = ProfileDeal(shares)
    part = 0
    for _ in range(device + 1):
        part = deal.next()
    return part


class ProfileDeal:
    """Deals parts to devices 0, 1, 2, ... in order, as :func:`assign_profile` does, in integers:
    each share ``a / D`` over the shares' common denominator ``D``, scaled by ``2k - 2``."""

    __slots__ = ("_counts", "_dealt", "_denominator", "_numerators", "_spread")

    def __init__(self, shares: Sequence[Fraction]) -> None:
        self._denominator = math.lcm(*(share.denominator for share in shares))
        self._numerators = tuple(
            share.numerator * (self._denominator // share.denominator) for share in shares
        )
        self._spread = max(2 * len(self._numerators) - 2, 1)  # 2k - 2 (1 for a single part)
        self._counts = [0] * len(self._numerators)
        self._dealt = 0

    def next(self) -> int:
        """The part of the next device."""
        self._dealt += 1
        spread, denominator = self._spread, self._denominator
        best = -1
        best_due = (0, 1)
        for part, numerator in enumerate(self._numerators):
            count = self._counts[part]
            # at least 1 / (2k - 2) behind: (a * n / D - count) * (2k - 2) >= 1
            if (numerator * self._dealt - count * denominator) * spread < denominator:
                continue
            # due at (count + 1 - 1 / (2k - 2)) / share: compare ((count + 1)(2k - 2) - 1) / a
            due = ((count + 1) * spread - 1, numerator)
            if best < 0 or due[0] * best_due[1] < best_due[0] * due[1]:
                best, best_due = part, due
        assert best >= 0, "Tijdeman's rule always has a part behind its share"
        self._counts[best] += 1
        return best
