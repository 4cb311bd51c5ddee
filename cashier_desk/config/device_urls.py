"""The ``[devices]`` settings, parsed when the config loads.

Each of ``printer``, ``drawer``, ``scanner`` and ``display`` is a word (``sim``, ``none``, and
``printer``/``wedge`` where they apply) or a URL::

    escpos+serial:///dev/ttyUSB0?baudrate=19200&columns=48   escpos+tcp://HOST:9100
    escpos+usb://… / escpos+file://… (one-way links)         drawer+serial:///dev/ttyS0?sense=cts
    scanner+serial:///dev/ttyACM0                            display+serial:///dev/ttyUSB1

:func:`device` parses one into a :class:`DeviceSetting` — the text as written (it *is* that
string, so ``setting == "none"`` and showing it work as before) with its scheme, target and
options — so a bad URL is a :class:`~cashier_desk.config.values.ConfigError` naming its key
(``[devices] printer = 'laser': …``) when the file is read, never later at device start.
The printer driver takes its URL apart with the same :func:`printer_url`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cashier_desk.config.values import ConfigError

__all__ = [
    "DRAWER_SENSOR",
    "ONE_WAY_SCHEMES",
    "SENSE_LINES",
    "DeviceSetting",
    "device",
    "printer_url",
]

SENSE_LINES = ("cts", "dsr", "cd")  # the modem-status inputs a drawer switch can be wired to
DRAWER_SENSOR = ("auto", "yes", "no")
ONE_WAY_SCHEMES = ("usb", "file")  # python-escpos's Usb and File links: nothing is read back

#: Per device: the words it may be, and its URL prefixes.
_SHAPES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "printer": (
        ("sim", "none"),
        ("escpos+serial://", "escpos+tcp://", "escpos+usb://", "escpos+file://"),
    ),
    "drawer": (("printer", "sim", "none"), ("drawer+serial://",)),
    "scanner": (("sim", "wedge", "none"), ("scanner+serial://",)),
    "display": (("none", "sim"), ("display+serial://",)),
}


class DeviceSetting(str):
    """A ``[devices]`` setting as written, and what it says.

    ``scheme``: "" for a word; for the printer ``serial``, ``tcp``, ``usb`` or ``file``; for
    the others ``serial``.  ``target``: the port or ``host:port`` to open ("" for a word).
    ``options``: the URL's query (``baudrate``, ``columns``, ``open_byte``, ``sense`` …).
    """

    scheme: str
    target: str
    options: Mapping[str, str]

    def __new__(
        cls,
        text: str,
        scheme: str = "",
        target: str = "",
        options: Mapping[str, str] | None = None,
    ) -> DeviceSetting:
        made = super().__new__(cls, text)
        made.scheme = scheme
        made.target = target
        made.options = MappingProxyType(dict(options or {}))
        return made

    @property
    def is_url(self) -> bool:
        return bool(self.scheme)

    def __reduce__(self) -> tuple[type[DeviceSetting], tuple[str, str, str, dict[str, str]]]:
        return DeviceSetting, (str(self), self.scheme, self.target, dict(self.options))


def _options(url: str) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlsplit(url).query).items()}


def printer_url(url: str) -> tuple[str, str, dict[str, str]]:
    """``escpos+serial:///dev/ttyUSB0?baudrate=19200`` → ("serial", "/dev/ttyUSB0", {...});
    ValueError (without the URL) when it is not a printer URL or an option is wrong."""
    parts = urlsplit(url)
    scheme = parts.scheme.removeprefix("escpos+")
    options = _options(url)
    if scheme == "serial":
        target = parts.path
    elif scheme == "tcp":
        if not parts.hostname:
            raise ValueError("a network printer needs a host, like escpos+tcp://HOST:9100")
        target = f"{parts.hostname}:{parts.port or 9100}"
    elif scheme in ("usb", "file"):
        target = parts.netloc + parts.path
    else:
        raise ValueError(
            "the printer URL must start escpos+serial, escpos+tcp, escpos+usb or escpos+file"
        )
    if options.get("columns", "42") not in ("42", "48"):
        raise ValueError("columns must be 42 or 48")
    if options.get("status", "yes") not in ("yes", "none"):
        raise ValueError("status must be none (a one-way link) or yes")
    if not options.get("baudrate", "19200").isdigit():
        raise ValueError("baudrate must be a whole number, like 19200")
    return scheme, target, options


def _drawer_url(url: str) -> tuple[str, str, dict[str, str]]:
    options = _options(url)
    if "open_byte" in options:
        try:
            byte = int(options["open_byte"], 0)
        except ValueError:
            raise ValueError(
                f"open_byte must be a byte value (0-255), not {options['open_byte']!r}"
            ) from None
        if not 0 <= byte <= 0xFF:
            raise ValueError(f"open_byte must be a byte value (0-255), not {byte}")
    if options.get("sense", "dsr") not in SENSE_LINES:
        raise ValueError(f"sense must be one of {', '.join(SENSE_LINES)}, not {options['sense']!r}")
    return "serial", url.removeprefix("drawer+serial://").split("?")[0], options


def device(kind: str) -> Callable[[Any, str], DeviceSetting]:
    """The parser of ``[devices] <kind>``."""
    words, prefixes = _SHAPES[kind]

    def parse(value: Any, where: str) -> DeviceSetting:
        if not isinstance(value, str):
            raise ConfigError(f"{where} must be a string in quotes")
        if value in words:
            return DeviceSetting(value)
        if not value.startswith(prefixes):
            raise ConfigError(
                f"{where} = {value!r}: one of {', '.join(words)}, or a URL starting "
                f"{', '.join(prefixes[:-1]) + ' or ' if len(prefixes) > 1 else ''}{prefixes[-1]}"
            )
        try:
            if kind == "printer":
                scheme, target, options = printer_url(value)
            elif kind == "drawer":
                scheme, target, options = _drawer_url(value)
            else:  # the scanner and the display open what follows the prefix as it is
                scheme, target, options = "serial", value.removeprefix(prefixes[0]), {}
        except ValueError as exc:  # urlsplit's too: a bad port, an unclosed [
            raise ConfigError(f"{where} = {value!r}: {exc}") from None
        if not target:
            raise ConfigError(f"{where} = {value!r}: the URL names no port or host")
        return DeviceSetting(value, scheme, target, options)

    return parse
