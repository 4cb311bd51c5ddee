"""Screens built on first use: the main window knows a :class:`LazyScreen` by name, and imports
and builds it the first time it is asked for (its shortcut, ``show_screen``, ``screens[name]``).
Once built it stays, with its state, like any other screen.  Nobody pays at start for a screen
they never open (the lead's Reports and Corrections)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from cashier_desk.ui.context import UiContext
from cashier_desk.ui.screens import Screen


@dataclass(frozen=True)
class LazyScreen:
    """A screen by its name, the module that holds it and its class's name there."""

    name: str
    module: str
    cls: str

    def build(self, ctx: UiContext) -> Screen:
        screen_type = getattr(importlib.import_module(self.module), self.cls)
        screen = screen_type(ctx)
        if not isinstance(screen, Screen) or screen.name != self.name:
            raise TypeError(f"{self.module}.{self.cls} is not the {self.name} screen")
        return screen


class Screens(dict[str, Screen]):
    """The window's screens by name; a screen not built yet is built when first looked up
    (``screens[name]``, ``screens.get(name)``) by ``build``, which also adds it to the window.
    ``name in screens`` is true for it before that."""

    def __init__(self, build: Callable[[LazyScreen], Screen]) -> None:
        super().__init__()
        self._build = build
        self.later: dict[str, LazyScreen] = {}

    def __missing__(self, name: str) -> Screen:
        later = self.later.pop(name, None)
        if later is None:
            raise KeyError(name)
        screen = self._build(later)
        self[name] = screen
        return screen

    def __contains__(self, name: object) -> bool:
        return super().__contains__(name) or name in self.later

    def get(self, name: str, default: Screen | None = None) -> Screen | None:  # type: ignore[override]
        return self[name] if name in self else default  # noqa: SIM401 (builds it)
