"""A member list cannot make the import read more than a bounded amount, whatever the file.

Two hostile workbooks as they were reported (small on disk, built here): one row of three
million cells (151 KB: 28 s and 2 GB before) and a 1.5 GB shared-strings part in 1.5 MB
(1.7 GB before). Each is refused on the import page with a message that says why, and the
import's peak memory stays under 100 MB. Every import here runs under an address-space cap,
so code that would read such a file whole fails fast with MemoryError instead of eating
gigabytes of the shared machine.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import resource
import signal
import struct
import subprocess
import sys
import textwrap
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import pytest
from django.utils import translation
from openpyxl.utils import get_column_letter

from kohtaamo import uploads
from networks import imports
from networks.models import Membership

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
PEAK_LIMIT = 100 * 1024 * 1024
ROOT = Path(__file__).resolve().parents[2]


# --- Building the files ---------------------------------------------------------------------


def _workbook_parts() -> dict[str, bytes]:
    """The parts of an ordinary workbook: one sheet whose texts are in shared strings."""
    office = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    package = "http://schemas.openxmlformats.org/package/2006"
    sheet_type = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    return {
        "[Content_Types].xml": (
            f'<Types xmlns="{package}/content-types">'
            '<Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{sheet_type}.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            f'ContentType="{sheet_type}.worksheet+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" '
            f'ContentType="{sheet_type}.sharedStrings+xml"/></Types>'
        ).encode(),
        "_rels/.rels": (
            f'<Relationships xmlns="{package}/relationships"><Relationship Id="rId1" '
            f'Type="{office}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ).encode(),
        "xl/workbook.xml": (
            f'<workbook xmlns="{MAIN}" xmlns:r="{office}"><sheets>'
            '<sheet name="Jäsenet" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ).encode(),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{package}/relationships">'
            f'<Relationship Id="rId1" Type="{office}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{office}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>"
        ).encode(),
        "xl/worksheets/sheet1.xml": (
            f'<worksheet xmlns="{MAIN}"><dimension ref="A1:B2"/><sheetData>'
            '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
            '<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" t="s"><v>3</v></c></row>'
            "</sheetData></worksheet>"
        ).encode(),
        "xl/sharedStrings.xml": (
            f'<sst xmlns="{MAIN}"><si><t>Nimi</t></si><si><t>Sähköposti</t></si>'
            "<si><t>Maija Meikäläinen</t></si><si><t>maija@example.fi</t></si></sst>"
        ).encode(),
    }


def test_the_plain_workbook_is_read():
    rows = imports.read_member_file(content=_zip(_workbook_parts()), filename="members.xlsx")
    assert rows == [
        {
            "row": 2,
            "name": "Maija Meikäläinen",
            "email": "maija@example.fi",
            "organisation": "",
            "role": "",
            "title": "",
        }
    ]


def _deflated(head: bytes, chunk: bytes, times: int, tail: bytes) -> tuple[bytes, int, int]:
    """head + chunk * times + tail, raw-deflated without holding it whole: after a full
    flush the compressor starts afresh, so every repeat of the chunk compresses to the
    same bytes and is compressed once."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)
    first = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    again = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    end = compressor.compress(tail) + compressor.flush()
    crc = zlib.crc32(head)
    for _ in range(times):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(tail, crc)
    size = len(head) + len(chunk) * times + len(tail)
    return start + first + again * (times - 1) + end, crc, size


def _zip(parts: dict[str, bytes | tuple[bytes, int, int]]) -> bytes:
    """A ZIP written by hand, so a part can be given already deflated (data, crc, size)."""
    out, directory = io.BytesIO(), []
    for name, given in parts.items():
        part = given
        if isinstance(given, bytes):
            compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
            part = (compressor.compress(given) + compressor.flush(), zlib.crc32(given), len(given))
        data, crc, size = part
        encoded = name.encode()
        offset = out.tell()
        out.write(struct.pack("<4s5H3I2H", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(data), size,
                              len(encoded), 0))  # fmt: skip
        out.write(encoded + data)
        directory.append(
            struct.pack(
                "<4s6H3I5H2I",
                b"PK\x01\x02",
                20,
                20,
                0,
                8,
                0,
                0,
                crc,
                len(data),
                size,
                len(encoded),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + encoded
        )
    start = out.tell()
    out.write(b"".join(directory))
    out.write(struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, len(directory), len(directory),
                          out.tell() - start, start, 0))  # fmt: skip
    return out.getvalue()


def wide_row_xlsx() -> bytes:
    """One row of three million cells (about 150 KB on disk, 48 MB of sheet XML)."""
    parts: dict = _workbook_parts()
    head = f'<worksheet xmlns="{MAIN}"><sheetData><row r="1">'.encode()
    cells = b"<c><v>1</v></c>" * 100_000
    parts["xl/worksheets/sheet1.xml"] = _deflated(
        head, cells, 30, b"</row></sheetData></worksheet>"
    )
    return _zip(parts)


def shared_strings_bomb_xlsx() -> bytes:
    """A 1.5 GB shared-strings part in a file of 1.5 MB."""
    parts: dict = _workbook_parts()
    head = (
        f'<sst xmlns="{MAIN}"><si><t>Nimi</t></si><si><t>Sähköposti</t></si>'
        "<si><t>Maija Meikäläinen</t></si><si><t>maija@example.fi</t></si>"
    ).encode()
    strings = (b"<si><t>" + b"x" * 32_000 + b"</t></si>") * 500  # 16 MB
    parts["xl/sharedStrings.xml"] = _deflated(head, strings, 94, b"</sst>")
    return _zip(parts)


# --- Guards ---------------------------------------------------------------------------------


def _address_space() -> int:
    with Path("/proc/self/status").open() as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmSize")  # pragma: no cover


def _too_slow(signum, frame):
    raise TimeoutError("the import took longer than the test allows")


@contextlib.contextmanager
def capped_memory(extra: int = 600 * 1024 * 1024, seconds: int = 30):
    """At most `extra` more address space and `seconds` while inside, and Python's peak
    allocation then. Reading such a file without bounds fails here fast (MemoryError or
    TimeoutError) instead of taking gigabytes and half a minute."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (_address_space() + extra, hard))
    previous = signal.signal(signal.SIGALRM, _too_slow)
    signal.alarm(seconds)
    tracemalloc.start()
    peak = {}
    try:
        yield peak
    finally:
        peak["bytes"] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


HOSTILE = {
    "wide_row": (
        wide_row_xlsx,
        (
            "Its part “xl/worksheets/sheet1.xml” unpacks to 42.9\xa0MB; "
            "at most 10.0\xa0MB is accepted."
        ),
    ),
    "shared_strings": (
        shared_strings_bomb_xlsx,
        "Its part “xl/sharedStrings.xml” unpacks to 1.4\xa0GB; at most 10.0\xa0MB is accepted.",
    ),
}


def test_the_hostile_files_are_small_on_disk():
    assert len(wide_row_xlsx()) < 200_000
    assert len(shared_strings_bomb_xlsx()) < 2_000_000
    with zipfile.ZipFile(io.BytesIO(shared_strings_bomb_xlsx())) as archive:
        assert archive.getinfo("xl/sharedStrings.xml").file_size > 1_500_000_000


@pytest.mark.django_db
@pytest.mark.parametrize("which", sorted(HOSTILE))
def test_the_import_page_refuses_a_hostile_workbook(which, en_client, network, coordinator):
    build, reason = HOSTILE[which]
    upload = io.BytesIO(build())
    upload.name = "members.xlsx"
    en_client.force_login(coordinator)
    assert en_client.get(f"/networks/{network.slug}/manage/import/").status_code == 200  # warm
    with capped_memory() as peak:
        page = en_client.post(f"/networks/{network.slug}/manage/import/", {"file": upload})
    assert page.status_code == 200
    assert page.context["form"].errors["file"] == [
        f"“members.xlsx” is too large to read safely. {reason}"
    ]
    assert page.context["preview"] is None
    assert not Membership.objects.filter(network=network).exists()
    assert peak["bytes"] < PEAK_LIMIT, f"peak {peak['bytes'] / 2**20:.0f} MB"


@pytest.mark.django_db
def test_the_refusal_is_in_finnish_on_the_finnish_page(client, network, coordinator):
    upload = io.BytesIO(wide_row_xlsx())
    upload.name = "jasenet.xlsx"
    client.cookies["django_language"] = "fi"
    client.force_login(coordinator)
    assert client.get(f"/networks/{network.slug}/manage/import/").status_code == 200
    with capped_memory():
        page = client.post(f"/networks/{network.slug}/manage/import/", {"file": upload})
    assert page.context["form"].errors["file"] == [
        (
            "Tiedostoa ”jasenet.xlsx” ei voi lukea turvallisesti, koska se on liian suuri. "
            "Sen osa ”xl/worksheets/sheet1.xml” on purettuna 42,9\xa0MB; enintään 10,0\xa0MB "
            "hyväksytään."
        )
    ]


# --- Peak memory of whole imports, measured in a child process -------------------------------

CHILD = textwrap.dedent(
    """
    import json, resource, sys, tracemalloc
    import django
    django.setup()
    from django.utils import translation
    from networks import imports
    translation.activate("en")
    data = open(sys.argv[1], "rb").read()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with open("/proc/self/status") as status:
        size = next(int(l.split()[1]) * 1024 for l in status if l.startswith("VmSize:"))
    resource.setrlimit(resource.RLIMIT_AS, (size + 600 * 1024 * 1024, resource.RLIM_INFINITY))
    resource.setrlimit(resource.RLIMIT_CPU, (90, resource.RLIM_INFINITY))  # stop, not spin
    trace = sys.argv[2] == "trace"  # tracemalloc triples the time of a long read
    if trace:
        tracemalloc.start()
    try:
        rows = imports.read_member_file(content=data, filename="members.xlsx")
        outcome = f"{len(rows)} rows"
    except imports.ImportFileError as error:
        outcome = str(error.message)
    except MemoryError:
        outcome = "MemoryError"
    peak = tracemalloc.get_traced_memory()[1] if trace else 0
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) * 1024
    print(json.dumps({"outcome": outcome, "peak": peak, "rss_growth": grown}))
    """
)


def _measure(data: bytes, tmp_path, *, trace: bool = True) -> dict:
    path = tmp_path / "members.xlsx"
    path.write_bytes(data)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "kohtaamo.settings"}
    done = subprocess.run(  # noqa: S603 - our interpreter and our child script
        [sys.executable, "-c", CHILD, str(path), "trace" if trace else "rss"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def largest_accepted_xlsx() -> bytes:
    """As much as the bounds let through: 5,000 members in as many columns of distinct texts
    as the cell bound allows, in a file under the 10 MB upload limit."""
    columns = uploads.DEFAULT_XLSX_LIMITS["cells"] // 5001
    strings, rows = [], []
    header = ["Nimi", "Sähköposti"] + [f"Sarake {i}" for i in range(columns - 2)]
    table = [header] + [
        [f"Henkilö {r}", f"henkilo{r}@example.fi"]
        + [f"arvo {r}-{c} ääkköset" for c in range(columns - 2)]
        for r in range(1, 5001)
    ]
    for number, values in enumerate(table, start=1):
        cells = []
        for value in values:
            strings.append(value)
            cells.append(f'<c t="s"><v>{len(strings) - 1}</v></c>')
        rows.append(f'<row r="{number}">{"".join(cells)}</row>')
    parts: dict = _workbook_parts()
    parts["xl/worksheets/sheet1.xml"] = (
        f'<worksheet xmlns="{MAIN}"><dimension ref="A1:{get_column_letter(columns)}5001"/>'
        "<sheetData>" + "".join(rows) + "</sheetData></worksheet>"
    ).encode()
    parts["xl/sharedStrings.xml"] = (
        f'<sst xmlns="{MAIN}">' + "".join(f"<si><t>{s}</t></si>" for s in strings) + "</sst>"
    ).encode()
    return _zip(parts)


@pytest.mark.parametrize("which", sorted(HOSTILE))
def test_refusing_a_hostile_workbook_needs_little_memory(which, tmp_path):
    build, reason = HOSTILE[which]
    measured = _measure(build(), tmp_path)
    assert measured["outcome"] == f"“members.xlsx” is too large to read safely. {reason}"
    assert measured["peak"] < PEAK_LIMIT
    assert measured["rss_growth"] < PEAK_LIMIT


def test_the_largest_workbook_the_bounds_accept_is_read_in_under_100_mb(tmp_path):
    data = largest_accepted_xlsx()
    assert len(data) < 10 * 1024 * 1024
    measured = _measure(data, tmp_path, trace=False)
    assert measured["outcome"] == "5000 rows"
    assert measured["rss_growth"] < PEAK_LIMIT, measured


def test_a_workbook_just_over_a_bound_is_refused_by_the_service():
    parts: dict = _workbook_parts()
    parts["xl/worksheets/sheet1.xml"] = (
        f'<worksheet xmlns="{MAIN}"><dimension ref="A1:XFD1048576"/><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Nimi</t></is></c></row>'
        "</sheetData></worksheet>"
    ).encode()
    assert "spans A1:XFD1048576" in _refusal(_zip(parts))


def _sheet(rows: str, dimension: str = "") -> bytes:
    parts: dict = _workbook_parts()
    parts["xl/worksheets/sheet1.xml"] = (
        f'<worksheet xmlns="{MAIN}">{dimension}<sheetData>{rows}</sheetData></worksheet>'
    ).encode()
    return _zip(parts)


def _refusal(content: bytes) -> str:
    with translation.override("en"), pytest.raises(imports.ImportFileError) as caught:
        imports.read_member_file(content=content, filename="members.xlsx")
    return str(caught.value.message)


def test_the_streamed_count_finds_what_the_archive_does_not_show():
    header = '<row r="1"><c t="s"><v>0</v></c><c t="s"><v>1</v></c></row>'
    wide = header + '<row r="2">' + "<c><v>1</v></c>" * 51 + "</row>"
    assert _refusal(_sheet(wide)).endswith("a row with more than 50 columns (row 2).")
    far = header + '<row r="2"><c r="XFD2"><v>1</v></c></row>'  # openpyxl would pad row 2
    assert _refusal(_sheet(far)).endswith("a row with more than 50 columns (row 2).")
    deep = header + '<row r="1048576"><c><v>1</v></c></row>'
    assert _refusal(_sheet(deep)).endswith("Its sheet has more than 10,000 rows.")
    long_text = (
        header + '<row r="2"><c t="inlineStr"><is><t>' + "x" * 40_000 + "</t></is></c></row>"
    )
    assert _refusal(_sheet(long_text)).endswith("A cell holds more than 32,767 characters.")


def test_an_entity_declaration_is_refused_as_damaged():
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]>'
        f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c t="inlineStr"><is><t>&lol;</t>'
        "</is></c></row></sheetData></worksheet>"
    )
    parts: dict = _workbook_parts()
    parts["xl/worksheets/sheet1.xml"] = bomb.encode()
    assert _refusal(_zip(parts)) == (
        "“members.xlsx” is damaged and cannot be read as an Excel workbook."
    )


def test_a_zip_of_many_parts_is_refused_before_its_directory_is_read():
    parts: dict = _workbook_parts()
    parts.update({f"xl/media/image{i}.png": b"" for i in range(200)})
    assert _refusal(_zip(parts)).endswith("It holds 206 parts; a workbook may have at most 100.")
