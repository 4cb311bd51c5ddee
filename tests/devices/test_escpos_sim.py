"""The ESC/POS printer simulator, checked against what python-escpos really sends.

(a) Differential: every python-escpos call the project uses is rendered by ``escpos.printer.Dummy``
and fed to the simulator — whole, and again one byte at a time — and the simulator must see the
text, barcodes, cuts and drawer pulses that were asked for, with no unknown command.
(b)–(f) The same simulator behind a real pseudo-terminal and a real TCP socket, driven by
python-escpos over pyserial (never mocked): printing, status queries with faults, pulling the
cable, a slow line, Automatic Status Back.  (g) The PNG rendering.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import serial
from escpos.capabilities import get_profile
from escpos.constants import RT_MASK_LOWPAPER, RT_MASK_NOPAPER, RT_MASK_ONLINE, RT_MASK_PAPER
from escpos.escpos import Escpos
from escpos.printer import Dummy
from PIL import Image

from cashier_desk.devices.sim.escpos_printer import (
    CODE_PAGES,
    EscPosPrinterSim,
    SimReceipt,
    decode_code128,
    render_png,
)
from cashier_desk.devices.sim.transports import PtySimServer, TcpSimServer

Job = Callable[[Dummy], object]
DLE_EOT_1 = b"\x10\x04\x01"


def escpos_bytes(job: Job) -> bytes:
    printer = Dummy()
    job(printer)
    return bytes(printer.output)


def run(job: Job) -> EscPosPrinterSim:
    """Feed the job whole and byte by byte; both must parse the same.  Returns the first."""
    data = escpos_bytes(job)
    whole, bytewise = EscPosPrinterSim(), EscPosPrinterSim()
    assert whole.feed(data) == b""
    for i in range(len(data)):
        assert bytewise.feed(data[i : i + 1]) == b""
    assert bytewise.receipts == whole.receipts
    assert bytewise.in_progress == whole.in_progress
    assert bytewise.drawer_kicks == whole.drawer_kicks
    assert whole.unknown_commands == [] == bytewise.unknown_commands
    return whole


def one_receipt(job: Job) -> SimReceipt:
    sim = run(job)
    assert len(sim.receipts) == 1
    return sim.receipts[0]


# --------------------------------------------------------------------- (a) differential tests
def test_text_textln_and_ln() -> None:
    receipt = one_receipt(
        lambda p: (p.text("Water "), p.text("bill"), p.ln(), p.textln("Total 12.00"), p.ln(2),
                   p.textln("end"), p.cut())
    )  # fmt: skip
    assert receipt.text == "Water bill\nTotal 12.00\n\n\nend"
    assert receipt.complete and receipt.cut == "full" and receipt.barcodes == []


@pytest.mark.parametrize("align", ["left", "center", "right"])
def test_alignment(align: str) -> None:
    receipt = one_receipt(lambda p: (p.set(align=align), p.textln("x"), p.cut()))
    assert receipt.lines[0].align == align


def test_bold_on_and_off() -> None:
    receipt = one_receipt(
        lambda p: (p.set(bold=True), p.textln("TOTAL"), p.set(bold=False), p.textln("x"), p.cut())
    )
    assert [line.bold for line in receipt.lines] == [True, False]


@pytest.mark.parametrize(
    ("kwargs", "size"),
    [
        ({"double_height": True}, (1, 2)),
        ({"double_width": True}, (2, 1)),
        ({"double_width": True, "double_height": True}, (2, 2)),
        ({"custom_size": True, "width": 3, "height": 2}, (3, 2)),
        ({"custom_size": True, "width": 8, "height": 8}, (8, 8)),
        ({"custom_size": True, "width": 1, "height": 1}, (1, 1)),
    ],
)
def test_text_sizes_and_back_to_normal(kwargs: dict[str, object], size: tuple[int, int]) -> None:
    receipt = one_receipt(
        lambda p: (p.set(**kwargs), p.textln("big"), p.set(normal_textsize=True),
                   p.textln("small"), p.cut())
    )  # fmt: skip
    big, small = receipt.lines
    assert (big.style.width, big.style.height) == size
    assert big.double_width == (size[0] >= 2) and big.double_height == (size[1] >= 2)
    assert (small.style.width, small.style.height) == (1, 1)


@pytest.mark.parametrize(("font", "number"), [("a", 0), ("b", 1)])
def test_fonts(font: str, number: int) -> None:
    receipt = one_receipt(lambda p: (p.set(font=font), p.textln("f"), p.cut()))
    assert receipt.lines[0].style.font == number


def test_code128_with_code_set_b() -> None:
    receipt = one_receipt(
        lambda p: (p.textln("Receipt"), p.barcode("{BR-2024-000123", "CODE128", function_type="B"),
                   p.textln("thanks"), p.cut())
    )  # fmt: skip
    assert receipt.barcodes == [("CODE128", "R-2024-000123")]
    assert receipt.text == "Receipt\nthanks"
    assert [g.before_line for g in receipt.graphics] == [1]


def test_function_a_barcode_is_nul_terminated() -> None:
    receipt = one_receipt(lambda p: (p.barcode("4006381333931", "EAN13"), p.cut()))
    assert receipt.barcodes == [("EAN13", "4006381333931")]


def test_code128_code_set_c_takes_byte_values_not_digits() -> None:
    # In code set C each data byte is a value 0..99.  python-escpos sends the string as ASCII,
    # so "{C1234" reaches the printer as the values 49 50 51 52 — the sim decodes what a real
    # printer would print.  The project must use {B (or send byte values) for numbers.
    assert one_receipt(
        lambda p: (p.barcode("{C\x0c\x22", "CODE128", function_type="B"), p.cut())
    ).barcodes == [("CODE128", "1234")]
    assert one_receipt(
        lambda p: (p.barcode("{C1234", "CODE128", function_type="B"), p.cut())
    ).barcodes == [("CODE128", "49505152")]
    assert decode_code128(b"{Bab{{c{Cx") == "ab{c?"


@pytest.mark.parametrize(("mode", "kind"), [("FULL", "full"), ("PART", "partial")])
def test_cuts(mode: str, kind: str) -> None:
    sim = run(lambda p: (p.textln("one"), p.cut(mode=mode), p.textln("two"), p.cut(mode=mode)))
    assert [(r.text, r.cut) for r in sim.receipts] == [("one", kind), ("two", kind)]
    assert sim.cuts == 2


def test_cut_without_feed_is_always_partial_in_python_escpos() -> None:
    sim = run(lambda p: (p.textln("x"), p.cut(mode="FULL", feed=False)))
    assert sim.receipts[0].cut == "partial"  # GS V 66 0, whatever the mode


def test_a_cut_with_nothing_printed_makes_no_receipt() -> None:
    sim = run(lambda p: (p.cut(), p.textln("x"), p.cut(), p.cut()))
    assert [r.text for r in sim.receipts] == ["x"] and sim.cuts == 3


@pytest.mark.parametrize("pin", [2, 5])
def test_cashdraw(pin: int) -> None:
    sim = run(lambda p: p.cashdraw(pin))
    assert sim.drawer_kicks == [pin]
    assert sim.drawer_pulses == 1 and sim.drawer_open


def test_cashdraw_only_opens_the_drawer_on_its_pin() -> None:
    sim = EscPosPrinterSim(drawer_pin=2)
    sim.feed(escpos_bytes(lambda p: (p.cashdraw(5), p.cashdraw(2))))
    assert sim.drawer_kicks == [5, 2] and sim.drawer_pulses == 1


@pytest.mark.parametrize(
    ("code_page", "number", "text"),
    [
        ("CP437", 0, "Café ½ ñ"),
        ("CP858", 19, "Café €5 ñ"),
        ("CP1252", 16, "Café €5 – “ok”"),
    ],
)
def test_code_pages(code_page: str, number: int, text: str) -> None:
    sim = run(lambda p: (p.charcode(code_page), p.textln(text), p.cut()))
    assert sim.receipts[0].text == text
    assert sim.code_page == number


def test_automatic_code_page_switching() -> None:
    receipt = one_receipt(lambda p: (p.textln("Grüße €12 — Zoë"), p.cut()))
    assert receipt.text == "Grüße €12 — Zoë"


def test_our_code_page_numbers_match_python_escpos_profile() -> None:
    profile_pages = {int(n): name for name, n in get_profile().get_code_pages().items()}
    for number, codec in CODE_PAGES.items():
        name = profile_pages[number].replace("_", "").replace("-", "").lower()
        assert name == codec.replace("_", "").replace("kz1048", "rk1048"), number


def test_hw_init_resets_modes() -> None:
    receipt = one_receipt(
        lambda p: (p.set(bold=True, align="right", double_width=True), p.text("lost"),
                   p.hw("INIT"), p.textln("plain"), p.cut())
    )  # fmt: skip
    assert receipt.text == "plain"  # ESC @ clears the unprinted line buffer
    line = receipt.lines[0]
    assert (line.bold, line.align, line.style.width) == (False, "left", 1)


def test_python_escpos_does_not_resend_the_code_page_after_init() -> None:
    # ESC @ resets the printer to code page 0, but python-escpos's encoder still believes
    # CP858 is active: the second "€" arrives as CP858 byte 0xD5 and prints as CP437 "╒".
    receipt = one_receipt(
        lambda p: (p.charcode("CP858"), p.textln("€"), p.hw("INIT"), p.textln("€"), p.cut())
    )
    assert receipt.text == "€\n╒"


def test_print_and_feed() -> None:
    receipt = one_receipt(
        lambda p: (p.text("a"), p.print_and_feed(1), p.print_and_feed(2), p.textln("b"), p.cut())
    )
    assert receipt.text == "a\n\n\nb"


def test_native_qr_is_skipped_and_recorded() -> None:
    receipt = one_receipt(
        lambda p: (p.textln("before"), p.qr("https://city.example/r/123", native=True),
                   p.textln("after"), p.cut())
    )  # fmt: skip
    assert receipt.text == "before\nafter"
    assert receipt.barcodes == [("QR", "https://city.example/r/123")]


def test_image_qr_is_skipped() -> None:
    receipt = one_receipt(
        lambda p: (p.textln("before"), p.qr("https://city.example/r/123"), p.textln("after"),
                   p.cut())
    )  # fmt: skip
    # qr() sends "\n", the raster image, "\n\n": three blank lines around an image
    assert receipt.text == "before\n\n\n\nafter"
    assert [g.kind for g in receipt.graphics] == ["image"]


@pytest.mark.parametrize("impl", ["bitImageRaster", "graphics", "bitImageColumn"])
def test_small_image_is_skipped(impl: str) -> None:
    logo = Image.new("1", (40, 30), 1)
    for x in range(40):  # bytes that look like commands inside the payload
        logo.putpixel((x, x % 30), 0)
    receipt = one_receipt(
        lambda p: (p.textln("top"), p.image(logo, impl=impl), p.textln("bottom"), p.cut())
    )
    assert receipt.text == "top\nbottom"
    assert [g.kind for g in receipt.graphics] == ["image"]


def test_a_whole_receipt_in_random_chunks() -> None:
    def job(p: Dummy) -> None:
        p.hw("INIT")
        p.set(align="center", bold=True, double_height=True, double_width=True)
        p.textln("CITY OF SPRINGFIELD")
        p.set(align="left", bold=False, normal_textsize=True)
        p.textln("Water 2024-Q3            120.00")
        p.textln("Dog licence               15.00")
        p.set(bold=True)
        p.textln("TOTAL                    135.00")
        p.set(bold=False)
        p.barcode("{BR-000123", "CODE128", function_type="B")
        p.qr("R-000123", native=True)
        p.image(Image.new("1", (16, 8), 0))
        p.textln("Merci — thank you")
        p.cut()
        p.cashdraw(2)

    data = escpos_bytes(job)
    reference = run(job)
    rng = random.Random(7)
    for _ in range(20):
        sim = EscPosPrinterSim()
        i = 0
        while i < len(data):
            step = rng.randint(1, 9)
            sim.feed(data[i : i + step])
            i += step
        assert sim.receipts == reference.receipts
        assert sim.drawer_pulses == 1
    receipt = reference.receipts[0]
    assert receipt.lines[0].text == "CITY OF SPRINGFIELD" and receipt.lines[0].align == "center"
    assert receipt.lines[3].bold and not receipt.lines[2].bold
    assert receipt.barcodes == [("CODE128", "R-000123"), ("QR", "R-000123")]
    assert receipt.text.endswith("Merci — thank you")


def test_an_unknown_command_is_recorded_and_parsing_recovers() -> None:
    sim = EscPosPrinterSim()
    sim.feed(b"\x1b\x01ABC\n\x1d\x02DEF\n" + escpos_bytes(lambda p: p.cut()))
    assert sim.unknown_commands == [b"\x1b\x01", b"\x1d\x02"]
    assert sim.receipts[0].text == "ABC\nDEF"


# --------------------------------------------------------------------- status bits, no wire
def test_real_time_status_bytes() -> None:
    sim = EscPosPrinterSim()
    assert sim.feed(b"\x10\x04\x01\x10\x04\x02\x10\x04\x03\x10\x04\x04") == b"\x12" * 4
    sim.set_paper_near_end()
    assert sim.feed(b"\x10\x04\x04") == bytes([0x12 | 0x0C])
    sim.set_paper_out()
    assert sim.feed(b"\x10\x04\x01\x10\x04\x02\x10\x04\x04") == bytes([0x1A, 0x32, 0x7E])
    sim.clear_faults()
    sim.set_cover_open()
    assert sim.feed(b"\x10\x04\x01\x10\x04\x02") == bytes([0x1A, 0x16])
    sim.clear_faults()
    sim.set_offline()
    assert sim.feed(b"\x10\x04\x01\x10\x04\x02") == bytes([0x1A, 0x12])
    sim.clear_faults()
    sim.feed(b"\x1bp\x00\x19\x19")  # drawer open → pin 3 HIGH
    assert sim.feed(b"\x10\x04\x01") == bytes([0x16])
    # python-escpos's masks read them as intended
    assert 0x12 & RT_MASK_PAPER == RT_MASK_PAPER and not 0x12 & RT_MASK_ONLINE
    assert 0x1E & RT_MASK_LOWPAPER == RT_MASK_LOWPAPER and 0x1E & RT_MASK_NOPAPER != 114
    assert 0x7E & RT_MASK_NOPAPER == RT_MASK_NOPAPER and 0x1A & RT_MASK_ONLINE


def test_garbage_answers_never_look_like_status() -> None:
    sim = EscPosPrinterSim(seed=1)
    sim.set_garbage()
    for _ in range(200):
        answer = sim.feed(DLE_EOT_1)
        assert 1 <= len(answer) <= 4 and answer[0] & 0x93 != 0x12


def test_faults_discard_print_data_and_the_interrupted_receipt_is_never_complete() -> None:
    sim = EscPosPrinterSim()
    sim.feed(escpos_bytes(lambda p: (p.hw("INIT"), p.textln("first half"))))
    sim.set_paper_out()
    sim.feed(escpos_bytes(lambda p: (p.textln("second half"), p.cut(), p.cashdraw(2))))
    assert sim.feed(DLE_EOT_1) == b"\x1a"  # real-time commands are still answered
    assert sim.receipts == [] and not sim.drawer_open  # ESC p ignored while out of paper
    assert sim.discarded_bytes > 0
    sim.feed(b"\x10\x14\x01\x00\x01")  # DLE DC4 1 obeyed even so
    assert sim.drawer_open and sim.drawer_pulses == 1
    sim.set_paper_out(False)
    sim.feed(escpos_bytes(lambda p: (p.hw("INIT"), p.textln("REPRINT"), p.cut())))
    interrupted, reprint = sim.receipts
    assert (interrupted.text, interrupted.complete, interrupted.cut) == ("first half", False, None)
    assert (reprint.text, reprint.complete) == ("REPRINT", True)


def test_data_after_a_fault_without_a_new_job_is_incomplete() -> None:
    sim = EscPosPrinterSim()
    sim.feed(b"line 1\n")
    sim.set_cover_open()
    sim.feed(b"line 2\n")
    sim.set_cover_open(False)
    sim.feed(b"line 3\n\x1dV\x00")
    assert [(r.text, r.complete) for r in sim.receipts] == [("line 1\nline 3", False)]


def test_drawer_closes_by_itself_or_on_command() -> None:
    sim = EscPosPrinterSim()
    sim.feed(b"\x1bp\x00\x19\x19")
    assert sim.drawer_open
    sim.close_drawer()
    assert not sim.drawer_open
    timed = EscPosPrinterSim(drawer_close_after=0.15)
    timed.feed(b"\x1d\x61\x01")  # ASB on drawer pin 3
    timed.feed(b"\x10\x14\x01\x00\x01")
    assert timed.drawer_open
    time.sleep(0.3)
    assert not timed.drawer_open
    assert timed.take_output() == b"\x10\x00\x00\x00"  # the timer's ASB: pin 3 back LOW
    timed.close()


def test_asb_on_drawer_pulse_comes_back_from_feed() -> None:
    sim = EscPosPrinterSim()
    assert sim.feed(b"\x1d\x61\x0f") == b"\x10\x00\x00\x00"  # first ASB on enabling
    assert sim.feed(b"\x1bp\x00\x19\x19") == b"\x14\x00\x00\x00"
    called = threading.Event()
    sim.add_output_listener(called.set)
    sim.set_paper_near_end()
    assert called.is_set() and sim.take_output() == b"\x14\x00\x03\x00"


# --------------------------------------------------------------------- over real ports
class PortPrinter(Escpos):
    """How the project drives a printer: python-escpos over a pyserial port."""

    def __init__(self, port: serial.SerialBase) -> None:
        super().__init__()
        self.port = port

    def _raw(self, msg: bytes) -> None:
        self.port.write(msg)

    def _read(self) -> bytes:
        return bytes(self.port.read(1))


@dataclass
class Link:
    sim: EscPosPrinterSim
    server: PtySimServer | TcpSimServer
    opened: list[serial.SerialBase]

    def url(self) -> str:
        if isinstance(self.server, PtySimServer):
            return self.server.port
        return self.server.url

    def open(self, timeout: float = 0.5) -> serial.SerialBase:
        port = serial.serial_for_url(self.url(), baudrate=19200, timeout=timeout)
        self.opened.append(port)
        return port


def close_port(port: serial.SerialBase) -> None:
    """Close a pyserial port.  pyserial's socket:// close() calls shutdown() first and, when the
    connection was reset (an unplugged printer), that raises, is swallowed, and the socket is
    never closed — so close the socket too (closing a closed socket is harmless)."""
    sock = getattr(port, "_socket", None)
    port.close()
    if sock is not None:
        sock.close()


def _no_server_threads() -> bool:
    return not [t for t in threading.enumerate() if t.name.endswith("SimServer")]


@pytest.fixture(params=["pty", "tcp"])
def link(request: pytest.FixtureRequest) -> Iterator[Link]:
    sim = EscPosPrinterSim()
    server: PtySimServer | TcpSimServer = (
        PtySimServer(sim) if request.param == "pty" else TcpSimServer(sim)
    )
    opened: list[serial.SerialBase] = []
    with server:
        yield Link(sim, server, opened)
        for port in opened:
            close_port(port)
    sim.close()
    assert _no_server_threads()


def test_print_a_receipt_over_the_port(link: Link) -> None:
    printer = PortPrinter(link.open())
    printer.hw("INIT")
    printer.set(align="center", bold=True)
    printer.textln("CITY OF SPRINGFIELD")
    printer.set(align="left", bold=False)
    printer.textln("Water 2024-Q3   120.00")
    printer.barcode("{BR-000124", "CODE128", function_type="B")
    printer.cut()
    printer.cashdraw(2)
    assert printer.is_online()  # answered after everything before it was parsed
    (receipt,) = link.sim.receipts
    assert receipt.text == "CITY OF SPRINGFIELD\nWater 2024-Q3   120.00"
    assert receipt.barcodes == [("CODE128", "R-000124")] and link.sim.drawer_open


@pytest.mark.parametrize(
    ("fault", "online", "paper"),
    [
        (None, True, 2),
        ("paper_near_end", True, 1),
        ("paper_out", False, 0),
        ("cover_open", False, 2),
        ("offline", False, 2),
    ],
)
def test_python_escpos_reads_our_status(
    link: Link, fault: str | None, online: bool, paper: int
) -> None:
    printer = PortPrinter(link.open())
    if fault:
        link.sim.set_faults(**{fault: True})
    assert printer.is_online() is online
    assert printer.paper_status() == paper
    link.sim.clear_faults()
    assert printer.is_online() and printer.paper_status() == 2


def test_garbage_over_the_port(link: Link) -> None:
    port = link.open()
    link.sim.set_garbage()
    port.write(DLE_EOT_1)
    answer = port.read(1)
    assert len(answer) == 1 and answer[0] & 0x93 != 0x12


def _write_until_it_fails(port: serial.SerialBase) -> None:
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        port.write(b"x\n")
        time.sleep(0.02)


def test_unplug_and_plug(link: Link) -> None:
    port = link.open()
    before = PortPrinter(port)
    before.textln("before")
    assert before.is_online()  # everything before this has been printed
    old_url = link.url()
    link.server.unplug()
    assert not link.server.plugged
    with pytest.raises(serial.SerialException):
        _write_until_it_fails(port)
    close_port(port)
    with pytest.raises(serial.SerialException):
        link.open()
    link.server.plug()
    if isinstance(link.server, TcpSimServer):
        assert link.url() == old_url  # the same port again
    printer = PortPrinter(link.open())
    printer.hw("INIT")
    printer.textln("after")
    printer.cut()
    assert printer.is_online()
    # pulling the cable does not tear the paper: "before" is still on it
    assert [r.text for r in link.sim.receipts] == ["before\nafter"]


def test_automatic_status_back_over_the_port(link: Link) -> None:
    port = link.open(timeout=2)
    port.write(b"\x1d\x61\x02")  # GS a: online/offline changes
    assert port.read(4) == b"\x10\x00\x00\x00"
    link.sim.set_cover_open()
    assert port.read(4) == bytes([0x10 | 0x08 | 0x20, 0, 0, 0])
    link.sim.set_cover_open(False)
    assert port.read(4) == b"\x10\x00\x00\x00"


def test_tcp_serves_one_client_at_a_time() -> None:
    sim = EscPosPrinterSim()
    with TcpSimServer(sim) as server:
        first = serial.serial_for_url(server.url, timeout=0.3)
        second = serial.serial_for_url(server.url, timeout=0.3)  # accepted into the backlog
        second.write(DLE_EOT_1)
        assert second.read(1) == b""  # nobody serves it yet
        first.write(DLE_EOT_1)
        assert first.read(1) == b"\x12"
        first.close()
        second.timeout = 2
        assert second.read(1) == b"\x12"
        second.close()
    assert _no_server_threads()


def test_slow_line() -> None:
    sim = EscPosPrinterSim()
    with PtySimServer(sim, baud=9600) as server:
        port = serial.serial_for_url(server.port, baudrate=9600, timeout=5)
        try:
            started = time.monotonic()
            port.write(b"x" * 2399 + b"\n")
            port.write(DLE_EOT_1)
            assert port.read(1) == b"\x12"
            elapsed = time.monotonic() - started
        finally:
            port.close()
    assert elapsed >= 2.0  # 2,403 bytes × 10 bits / 9600 baud ≈ 2.5 s
    assert sim.in_progress.lines[0].text == "x" * 2399


def test_stop_is_idempotent_and_leaves_no_thread() -> None:
    sim = EscPosPrinterSim()
    for server in (PtySimServer(sim), TcpSimServer(sim)):
        server.stop()
        server.start()
        server.start()
        server.unplug()
        server.unplug()
        server.plug()
        server.stop()
        server.stop()
        assert not server.running
    assert _no_server_threads()


# --------------------------------------------------------------------- (g) rendering
def test_render_png_grows_with_the_lines(tmp_path: Path) -> None:
    def job(lines: int) -> Job:
        return lambda p: (
            p.set(align="center", double_height=True, double_width=True),
            p.textln("CITY"),
            p.set(normal_textsize=True, align="left"),
            [p.textln(f"line {i} — 12.00 €") for i in range(lines)],
            p.barcode("{BR-1", "CODE128", function_type="B"),
            p.cut(),
        )

    short = render_png(one_receipt(job(3)), tmp_path / "short.png", columns=42)
    long = render_png(one_receipt(job(12)), tmp_path / "long.png", columns=42)
    assert short.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(short) as a, Image.open(long) as b:
        assert a.width == b.width
        assert b.height > a.height
