"""The hourly sync app shipped to iPhones without its iOS set-up: the same Dart code
(:mod:`examples.hourly_sync`), but Info.plist has no ``BGTaskSchedulerPermittedIdentifiers`` and
AppDelegate registers no handler.

The flutter ``workmanager`` plugin's iOS side submits the refresh request anyway and iOS refuses
it (``BGTaskSchedulerErrorDomain`` code 3, notPermitted): the users' "iOS never fires"
(flutter_workmanager's README, "iOS setup"; scenarios/hourly_sync/ios_not_set_up.yaml).
"""

from __future__ import annotations

from examples.hourly_sync import ITEMS_URL, PACKAGE, callback_dispatcher, main, sync

__all__ = ["ITEMS_URL", "PACKAGE", "callback_dispatcher", "main", "sync"]
