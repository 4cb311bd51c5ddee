"""The config schema: each key declared once (default, parser, comment), the default file
written from the declarations, and device URLs parsed when the file is read."""

from __future__ import annotations

import hashlib
import pickle
from dataclasses import fields

import pytest

from cashier_desk.config import (
    DEFAULT_TEXT,
    EARLIER_DEFAULT_TEXTS,
    SCHEMA,
    Config,
    ConfigError,
    parse_config,
)

#: The default config.toml as this version writes it: a data folder whose file is still this
#: text is an untouched one (first_run.needs_setup), so it must not change by accident.
DEFAULT_SHA256 = "4b1110c4e19854cdc4558c89d13d7b041e1dd38a66a49aa9856844f9c2805ddd"
#: ... and as earlier versions wrote it (before [retention] years, [refund]): untouched too.
EARLIER_SHA256 = ("aaf4dfc3d857d5401cf48f8a53e4db777e11f557f5f4a70370199e1de2f00b01",)


def test_the_default_file_is_written_from_the_declarations_as_before() -> None:
    assert hashlib.sha256(DEFAULT_TEXT.encode()).hexdigest() == DEFAULT_SHA256
    earlier = tuple(hashlib.sha256(t.encode()).hexdigest() for t in EARLIER_DEFAULT_TEXTS)
    assert earlier == EARLIER_SHA256
    assert parse_config(DEFAULT_TEXT) == Config()
    assert set(SCHEMA) == {f.name for f in fields(Config)}
    for key in SCHEMA.values():  # every key is in the file, set or commented out
        assert f"\n{key.key} = " in DEFAULT_TEXT or f"\n# {key.key} = " in DEFAULT_TEXT


@pytest.mark.parametrize(
    ("setting", "said"),
    [
        ('printer = "laser"', "[devices] printer = 'laser': one of sim, none, or a URL"),
        ('printer = "escpos+tcp://"', "[devices] printer = 'escpos+tcp://': a network printer"),
        ('printer = "escpos+tcp://h:99999"', "[devices] printer = 'escpos+tcp://h:99999': "),
        (
            'printer = "escpos+serial:///dev/ttyUSB0?columns=40"',
            "[devices] printer = 'escpos+serial:///dev/ttyUSB0?columns=40': columns must be",
        ),
        (
            'printer = "escpos+serial:///dev/ttyUSB0?baudrate=fast"',
            "[devices] printer = 'escpos+serial:///dev/ttyUSB0?baudrate=fast': baudrate",
        ),
        (
            'drawer = "drawer+serial:///dev/ttyS0?open_byte=zz"',
            "[devices] drawer = 'drawer+serial:///dev/ttyS0?open_byte=zz': open_byte",
        ),
        (
            'drawer = "drawer+serial:///dev/ttyS0?open_byte=300"',
            "[devices] drawer = 'drawer+serial:///dev/ttyS0?open_byte=300': open_byte",
        ),
        (
            'drawer = "drawer+serial:///dev/ttyS0?sense=ri"',
            "[devices] drawer = 'drawer+serial:///dev/ttyS0?sense=ri': sense must be",
        ),
        ('drawer = "serial:///dev/ttyS0"', "[devices] drawer = 'serial:///dev/ttyS0': one of"),
        ('scanner = "usb"', "[devices] scanner = 'usb': one of sim, wedge, none"),
        ('display = "display+serial://"', "[devices] display = 'display+serial://': the URL"),
        ("display = 1", "[devices] display must be a string in quotes"),
        (
            'printer = "escpos+usb://04b8:0202"\ndrawer_sensor = "yes"',
            "[devices] drawer_sensor = 'yes': 'escpos+usb://04b8:0202' reports no status",
        ),
    ],
)
def test_a_bad_device_setting_is_refused_when_the_file_is_read_naming_its_key(
    setting: str, said: str
) -> None:
    with pytest.raises(ConfigError) as refused:
        parse_config(f"[devices]\n{setting}\n")
    assert str(refused.value).startswith(said)


def test_a_device_url_is_taken_apart_when_the_file_is_read() -> None:
    config = parse_config(
        "[devices]\n"
        'printer = "escpos+tcp://10.0.0.5?columns=48"\n'
        'drawer = "drawer+serial:///dev/ttyS0?open_byte=0x1b&sense=cts"\n'
        'scanner = "scanner+serial:///dev/ttyACM0"\n'
        'display = "sim"\n'
    )
    assert config.printer == "escpos+tcp://10.0.0.5?columns=48"  # as written
    assert (config.printer.scheme, config.printer.target) == ("tcp", "10.0.0.5:9100")
    assert dict(config.printer.options) == {"columns": "48"}
    assert (config.drawer.target, dict(config.drawer.options)) == (
        "/dev/ttyS0",
        {"open_byte": "0x1b", "sense": "cts"},
    )
    assert config.scanner.is_url and config.scanner.target == "/dev/ttyACM0"
    assert config.display == "sim" and not config.display.is_url
    copied = pickle.loads(pickle.dumps(config))  # a Config travels whole
    assert copied == config and copied.drawer.options == config.drawer.options
