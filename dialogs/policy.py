"""Who may do what, and what may be shown: Leerbot's roles and the smallest group an aggregate
may describe."""

from __future__ import annotations

from typing import Literal

Role = Literal["employee", "manager", "admin"]
ROLES: tuple[Role, ...] = ("employee", "manager", "admin")
#: managers and HR admins (leerlijnen, the scan, teams)
MANAGERS: frozenset[str] = frozenset({"manager", "admin"})
#: HR admins only (roles, runs)
ADMINS: frozenset[str] = frozenset({"admin"})
#: aggregates (participation, team summaries, scan averages) never describe fewer people
MIN_GROUP = 5
