"""B8, the register part: the year's receive register (form 13, 5,000 rows) as PDF, <= 5 s.

Timed as a clerk meets it: from the request for the PDF (``GET /staff/reports/?kind=receive&
fmt=pdf&start=..&end=..`` through the whole Django stack, logged in) to the response's bytes, in a
fresh process started for each run, as a web worker is: Django loaded, PyThaiNLP's dictionary
loaded at start by ``config.warmup.warm_up`` (gunicorn's wsgi module and the Celery worker call
it), typst's caches cold. Each run is a new process so that no run profits from the typst memo
cache of the run before.

The rows are realistic: 5,000 incoming letters registered on the working days of 2569 (about 20
a day), subjects, senders and references from tests.bench.corpus (the B7 corpus), forwarded to
one of the municipality's divisions (some also to an officer by name), 30% stored with a file
code, a few urgent, secret or cancelled. They are written with bulk inserts (registration itself
is B4's business).

Checks on the PDF: the page count (the last page reads "แผ่นที่ N จาก N"), the subjects and
senders of 300 sampled rows found by ``pdftotext``, and a middle page rasterised by ``pdftoppm``
with ink in the table and none in the side margins (a word wider than its column would overflow
towards them).

    infra/dev/bench --only B8 [--b8-register-rows 5000] [--b8-register-runs 3]
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.bench.harness import REPO, Row, Say, say, throwaway_tenant

TARGET_SECONDS = 5.0
YEAR = 2026  # BE 2569
BANGKOK_OFFSET = timedelta(hours=7)
SAMPLE = 300
OFFICERS = (
    ("สมชาย", "ใจดี", "finance"),
    ("สุภาพร", "ศรีสุข", "office-of-the-clerk"),
    ("วิชัย", "แก้วมณี", "engineering"),
    ("ศิริพร", "ทองคำ", "education"),
    ("ประเสริฐ", "ชัยมงคล", "public-health"),
    ("กาญจนา", "พรหมมา", "office-of-the-clerk"),
)


@dataclasses.dataclass
class RegisterFigures:
    rows: int
    seconds: list[float]
    build: list[float]  # the view's report_build (database and Python rows), per run
    typst: list[float]  # typst.compile, per run
    pages: list[int]
    text_ok: bool = False
    image_ok: bool = False
    sheet_ok: bool = False
    load: list[float] = dataclasses.field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


@dataclasses.dataclass(frozen=True)
class Sample:
    subject: str
    sender: str


def working_days(year: int) -> list[date]:
    day, days = date(year, 1, 1), []
    while day.year == year:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def seed_register(rows: int, *, seed: int = 8) -> tuple[str, list[Sample]]:
    """``rows`` registered incoming letters of YEAR in the active tenant; returns the clerk's
    username and a sample of printed (subject, sender) pairs."""
    from accounts.models import OrgUnit
    from accounts.services import user_create_staff
    from registers.choices import (
        Channel,
        Direction,
        EntryStatus,
        LetterStatus,
        RegisterKind,
        Secrecy,
    )
    from registers.models import Assignment, Letter, RegisterEntry, StorageRecord
    from tests.bench.corpus import Corpus

    clerk = user_create_staff(
        username="b8clerk",
        email="b8clerk@bench.example",
        first_name="สุดา",
        last_name="สารบรรณ",
        role_codes=("central_clerk",),
    )
    units = {unit.code: unit for unit in OrgUnit.objects.all()}
    officers = [
        user_create_staff(
            username=f"b8officer{index}",
            email=f"b8officer{index}@bench.example",
            first_name=first,
            last_name=last,
            role_codes=("officer",),
            org_unit_code=code,
        )
        for index, (first, last, code) in enumerate(OFFICERS)
    ]
    corpus = Corpus(seed=seed)
    rng = random.Random(seed)  # noqa: S311 (reproducible data)
    days = working_days(YEAR)
    per_day = [rows // len(days)] * len(days)
    for index in rng.sample(range(len(days)), rows % len(days)):
        per_day[index] += 1
    moments: list[datetime] = []
    for day, count in zip(days, per_day, strict=True):
        for minute in sorted(rng.sample(range(8 * 60 + 30, 16 * 60 + 30), count)):
            local = datetime(day.year, day.month, day.day, minute // 60, minute % 60)
            moments.append(local.replace(tzinfo=UTC) - BANGKOK_OFFSET)
    letters: list[Letter] = []
    samples: list[Sample] = []
    for when in moments:
        fake = corpus.letter()
        secrecy = Secrecy.CONFIDENTIAL if rng.random() < 0.01 else Secrecy.NORMAL
        letters.append(
            Letter(
                direction=Direction.INCOMING,
                status=LetterStatus.IN_PROGRESS,
                reference=fake.reference,
                letter_date=(when + BANGKOK_OFFSET).date() - timedelta(days=rng.randint(1, 12)),
                sender=fake.sender,
                recipient=fake.recipient,
                subject=fake.subject,
                urgency=fake.urgency,
                secrecy=secrecy,
                channel=rng.choice((Channel.EMAIL, Channel.PLATFORM, Channel.POST, Channel.HAND)),
                created_at=when,
                created_by=clerk,
            )
        )
    Letter.objects.bulk_create(letters, batch_size=1000)
    entries: list[RegisterEntry] = []
    assignments: list[Assignment] = []
    stored: list[StorageRecord] = []
    for number, (letter, when) in enumerate(zip(letters, moments, strict=True), start=1):
        cancelled = rng.random() < 0.005
        entries.append(
            RegisterEntry(
                register=RegisterKind.RECEIVE,
                period=YEAR + 543,
                number=number,
                status=EntryStatus.CANCELLED if cancelled else EntryStatus.ACTIVE,
                letter=letter,
                registered_at=when,
                registered_by=clerk,
                cancelled_at=when + timedelta(hours=2) if cancelled else None,
                cancelled_by=clerk if cancelled else None,
                cancel_reason="ลงทะเบียนซ้ำกับเลขรับก่อนหน้า" if cancelled else "",
            )
        )
        if letter.secrecy == Secrecy.NORMAL:
            samples.append(Sample(letter.subject, letter.sender))
        if rng.random() < 0.9:
            unit = units[rng.choice(sorted(units))]
            assignments.append(
                Assignment(
                    letter=letter,
                    to_unit=unit,
                    assigned_by=clerk,
                    assigned_at=when + timedelta(minutes=rng.randint(10, 180)),
                )
            )
            if rng.random() < 0.15:
                officer = rng.choice(officers)
                assignments.append(
                    Assignment(
                        letter=letter,
                        to_unit=officer.org_unit,
                        to_user=officer,
                        assigned_by=clerk,
                        assigned_at=when + timedelta(days=1),
                    )
                )
        if rng.random() < 0.3:
            stored.append(
                StorageRecord(
                    letter=letter,
                    period=YEAR + 543,
                    item_number=len(stored) + 1,
                    file_code=f"{rng.randint(1, 9)}.{rng.randint(1, 6)}/{YEAR + 543}"
                    if rng.random() < 0.5
                    else "",
                    keep_until_year=YEAR + 543 + 10,
                    stored_at=when + timedelta(days=7),
                    stored_by=clerk,
                )
            )
    RegisterEntry.objects.bulk_create(entries, batch_size=1000)
    Assignment.objects.bulk_create(assignments, batch_size=1000)
    StorageRecord.objects.bulk_create(stored, batch_size=1000)
    return clerk.username, rng.sample(samples, min(SAMPLE, len(samples))) + samples[-1:]


def _measure(job: dict[str, Any]) -> dict[str, Any]:
    """In a fresh (spawned) process: start like a web worker, then time one register request."""
    for path in (str(REPO), str(REPO / "platform")):
        if path not in sys.path:
            sys.path.insert(0, path)
    os.environ["DATABASE_URL"] = job["database_url"]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from config.warmup import warm_up

    warm_up()  # what config/wsgi.py and the Celery worker do at start

    import typst
    from django.test import Client

    from accounts.models import User
    from registers.reports import build, pdf, render
    from tenants.models import Municipality

    # Timing wrappers around the real functions (they are called, not replaced).
    spent = {"build": 0.0, "typst": 0.0}

    def timed(name: str, function: Any) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - started

        return call

    render.report_build = timed("build", build.report_build)  # type: ignore[attr-defined]
    pdf.typst = type(  # type: ignore[attr-defined]
        "TimedTypst", (), {"compile": staticmethod(timed("typst", typst.compile))}
    )
    tenant = Municipality.objects.get(schema_name=job["schema"])
    client = Client(HTTP_HOST=tenant.get_primary_domain().domain)
    with tenant:
        client.force_login(User.objects.get(username=job["username"]))
    assert client.get("/staff/reports/").status_code == 200  # the page the clerk is on
    started = time.perf_counter()
    response = client.get("/staff/reports/", job["query"])
    seconds = time.perf_counter() - started
    Path(job["pdf"]).write_bytes(response.content)
    return {
        "seconds": seconds,
        "status": response.status_code,
        "type": response["Content-Type"],
        "build": spent["build"],
        "typst": spent["typst"],
        "load": os.getloadavg()[0],
    }


def _pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))  # type: ignore[union-attr]


def _squash(text: str) -> str:
    """Without white space and the invisible word joiners; poppler writes a cluster of a
    consonant and two marks twice ("โพธิ์ธิ์" for "โพธิ์"), so a doubled one counts once."""
    text = re.sub(r"[\s\u2060\u200b]+", "", text)
    return re.sub(r"([\u0e01-\u0e2e][\u0e31-\u0e3a\u0e47-\u0e4e]{2})\1", r"\1", text)


def _text_ok(pdf: Path, samples: list[Sample]) -> bool:
    text = _squash(
        subprocess.run(
            ["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
    )
    missing = [
        s for s in samples if _squash(s.subject) not in text or _squash(s.sender) not in text
    ]
    return not missing


def _sheet_ok(pdf: Path, pages: int) -> bool:
    last = subprocess.run(
        ["pdftotext", "-f", str(pages), "-l", str(pages), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return f"แผ่นที่ {pages} จาก {pages}" in " ".join(last.split())


def _ink_ok(pdf: Path, page: int, folder: Path) -> bool:
    """The page as a grey image: ink inside the table, none in the 0.7 cm side margins."""
    subprocess.run(
        [
            *("pdftoppm", "-gray", "-r", "40", "-f", str(page), "-l", str(page), "-singlefile"),
            *(str(pdf), str(folder / "page")),
        ],
        check=True,
    )
    data = (folder / "page.pgm").read_bytes()
    magic, width, height, _max, pixels = data.split(maxsplit=4)
    assert magic == b"P5"
    w, h = int(width), int(height)
    margin = int(0.7 * 40 / 2.54)
    inside = outside = 0
    for y in range(h):
        row = pixels[y * w : (y + 1) * w]
        dark = [x for x, value in enumerate(row) if value < 128]
        outside += sum(1 for x in dark if x < margin or x >= w - margin)
        inside += len(dark)
    return w > h and inside > 5_000 and outside == 0


def run(*, rows: int = 5_000, runs: int = 3, out: Say = say) -> tuple[list[Row], RegisterFigures]:
    from django.db import connection

    from thaiformat.forms import format_be_date

    figures = RegisterFigures(rows=rows, seconds=[], build=[], typst=[], pages=[])
    with throwaway_tenant("b8r", out=out) as tenant:
        started = time.perf_counter()
        with tenant:
            username, samples = seed_register(rows)
        out(f"B8 register: {rows} rows written in {time.perf_counter() - started:.1f} s")
        settings = connection.settings_dict
        database_url = (
            f"postgresql://{settings['USER']}"
            + (f":{settings['PASSWORD']}" if settings["PASSWORD"] else "")
            + f"@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"
        )
        query = {
            "kind": "receive",
            "fmt": "pdf",
            "start": format_be_date(date(YEAR, 1, 1)),
            "end": format_be_date(date(YEAR, 12, 31)),
        }
        context = multiprocessing.get_context("spawn")
        with tempfile.TemporaryDirectory(prefix="bench-b8r-") as name:
            folder = Path(name)
            for index in range(runs):
                job = {
                    "database_url": database_url,
                    "schema": tenant.schema_name,
                    "username": username,
                    "query": query,
                    "pdf": str(folder / f"register{index}.pdf"),
                }
                with ProcessPoolExecutor(1, mp_context=context) as pool:
                    result = pool.submit(_measure, job).result()
                assert result["status"] == 200 and result["type"] == "application/pdf", result
                pdf = Path(job["pdf"])
                figures.seconds.append(result["seconds"])
                figures.build.append(result["build"])
                figures.typst.append(result["typst"])
                figures.load.append(result["load"])
                figures.pages.append(_pages(pdf))
                out(
                    f"B8 register run {index + 1}: {result['seconds']:.2f} s (report rows "
                    f"{result['build']:.2f} s, typst {result['typst']:.2f} s), "
                    f"{figures.pages[-1]} pages, load {result['load']:.2f}"
                )
                if index == 0:
                    keep = os.environ.get("BENCH_B8_REGISTER_KEEP")
                    if keep:
                        Path(keep).write_bytes(pdf.read_bytes())
                    figures.text_ok = _text_ok(pdf, samples)
                    figures.sheet_ok = _sheet_ok(pdf, figures.pages[0])
                    figures.image_ok = _ink_ok(pdf, max(1, figures.pages[0] // 2), folder)
    checks = (
        figures.text_ok
        and figures.image_ok
        and figures.sheet_ok
        and len(set(figures.pages)) == 1
        and rows / 12 <= figures.pages[0] <= rows / 2
    )
    median = figures.median
    row = Row(
        benchmark=f"B8 register ({rows:,} rows, {figures.pages[0]} pages) PDF",
        ours=f"{median:.2f} s",
        anchor="-",
        ratio="-",
        target=f"<= {TARGET_SECONDS:.0f} s",
        passed=checks and median <= TARGET_SECONDS,
        notes=f"median of {runs} fresh processes (request -> bytes); runs "
        + ", ".join(f"{s:.2f}" for s in figures.seconds)
        + f"; rows {statistics.median(figures.build):.2f} s, "
        f"typst {statistics.median(figures.typst):.2f} s; "
        f"load {statistics.median(figures.load):.1f}"
        + ("" if checks else "; CHECKS FAILED (pages/text/sheet/image)"),
    )
    return [row], figures
