"""``python -m harness.scenario._actions > docs/actions.md``: print the action table."""

import sys

from harness.scenario._actions import actions_markdown

sys.stdout.write(actions_markdown())
