"""(being written)"""

from __future__ import annotations

from typing import Any

from dialogs.framework import Dialog

DIALOGS: list[Dialog[Any]] = []
PHRASES: dict[str, list[str]] = {}
