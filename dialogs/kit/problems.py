"""Why an answer cannot be used."""

from __future__ import annotations


class InputError(ValueError):
    """The answer cannot be used. ``key`` and ``params`` name the reason for the user (a message
    key and its values); ``at`` names the form field to ask again, when one is at fault."""

    def __init__(self, key: str, *, at: str | None = None, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.at = at
        self.params = params
