"""``PreferenceDao``: the ``Preference`` table (``W/impl/model/PreferenceDao.kt`` @517f9ce1).

WorkManager's own key-value pairs (``W/impl/utils/PreferenceUtils``): whether the next start
must reschedule everything, the last ``cancelAllWork`` time, the last force stop.
"""

from __future__ import annotations

from harness.workmanager._connection import Dao


class PreferenceDao(Dao):
    """Long values by key."""

    __slots__ = ()

    def insert_preference(self, key: str, value: int) -> None:
        """``insertPreference`` (``OnConflictStrategy.REPLACE``)."""
        self._connection.write(
            "INSERT OR REPLACE INTO preference (`key`, long_value) VALUES (?, ?)", (key, value)
        )

    def get_long_value(self, key: str) -> int | None:
        """``getLongValue``: the value, or ``None`` if the key was never set."""
        row = self._connection.row("SELECT long_value FROM preference WHERE `key`=?", (key,))
        return None if row is None else row[0]
