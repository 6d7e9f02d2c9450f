"""End to end in headless Chromium: a letter from intake to the destruction list.

A clerk enters a paper letter with its PDF, registers it, forwards it to an officer; the officer
acknowledges and completes it on a phone-sized screen; the clerk closes and stores it; years pass
(the test moves the storage record's retention year back, as time would); the clerk finds it due
and puts it on the yearly destruction list (form 25). A screenshot of each step is saved under
var/screenshots/registers-e2e/.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from tests.conftest import host_of, make_staff
from tests.registers.helpers_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    SCREENSHOTS,
    live_server,
    staff_login,
)

pytestmark = [pytest.mark.registers, pytest.mark.browser]

PASSWORD = "a-long-passphrase-2569"
SUBJECT = "ขอความอนุเคราะห์ซ่อมแซมถนนคอนกรีตเสริมเหล็ก หมู่ที่ 7"


def test_clerk_takes_a_letter_from_intake_to_the_destruction_list(
    committed_tenant: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from playwright.sync_api import expect, sync_playwright

    # Playwright's sync API keeps an event loop in this thread; our ORM calls between browser
    # steps are plain blocking calls, so Django's async guard does not apply.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    from accounts.models import OrgUnit
    from registers.demo import demo_letter_pdf
    from registers.models import Letter, StorageRecord
    from thaiformat.dates import be_year

    tenant = committed_tenant
    with tenant:
        works = OrgUnit.objects.order_by("sort_order").last()
        assert works is not None
    make_staff(tenant, "e2eclerk", password=PASSWORD, role_codes=("central_clerk",))
    officer_user = make_staff(
        tenant,
        "e2eofficer",
        password=PASSWORD,
        role_codes=("officer",),
        first_name="ประเสริฐ",
        last_name="ทำงานดี",
        org_unit_code=works.code,
    )
    letter_date = timezone.localdate() - timedelta(days=1)
    pdf = tmp_path / "หนังสือขอความอนุเคราะห์.pdf"
    pdf.write_bytes(
        demo_letter_pdf(
            reference="ขก 0023.3/ว 9876",
            subject=SUBJECT,
            sender="ผู้ใหญ่บ้านหมู่ที่ 7",
            when=letter_date,
        )
    )
    shots = SCREENSHOTS / "registers-e2e"
    shots.mkdir(parents=True, exist_ok=True)

    with live_server(host_of(tenant)) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        clerk = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        officer = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
        # CI shares two cores with other work: allow slow pages rather than fail on time.
        for page in (clerk, officer):
            page.set_default_timeout(90_000)
        expect.set_options(timeout=30_000)

        # 1. The clerk keys in the paper letter with its PDF into the intake queue.
        staff_login(clerk, base, "e2eclerk", PASSWORD)
        clerk.goto(f"{base}/staff/intake/new/")
        clerk.get_by_label("ที่", exact=True).first.fill("ขก 0023.3/ว 9876")
        be_date = f"{letter_date.day}/{letter_date.month}/{be_year(letter_date)}"
        clerk.get_by_label("ลงวันที่", exact=True).first.fill(be_date)
        clerk.get_by_label("จาก", exact=True).fill("ผู้ใหญ่บ้านหมู่ที่ 7")
        clerk.get_by_label("ถึง", exact=True).fill("นายกเทศมนตรี")
        clerk.get_by_label("เรื่อง", exact=True).first.fill(SUBJECT)
        clerk.get_by_label("ชั้นความเร็ว").select_option("urgent")
        clerk.get_by_label("อายุการเก็บ").select_option("1y")
        clerk.get_by_label("ไฟล์หนังสือ (PDF)").set_input_files(str(pdf))
        clerk.screenshot(path=str(shots / "1-intake-form.png"), full_page=True)
        clerk.get_by_role("button", name="บันทึกเข้ารายการรอลงรับ").click()
        clerk.wait_for_load_state("networkidle")
        clerk.goto(f"{base}/staff/intake/")
        item = clerk.locator(".intake-item", has_text=SUBJECT)
        expect(item).to_be_visible()
        clerk.screenshot(path=str(shots / "2-intake-queue.png"), full_page=True)

        # 2. Registered: a receipt number, date and time appear in place.
        item.get_by_role("button", name="ลงรับ", exact=True).click()
        expect(clerk.get_by_text("เลขรับ").first).to_be_visible()
        clerk.screenshot(path=str(shots / "3-registered.png"), full_page=True)
        with tenant:
            letter = Letter.objects.get(subject=SUBJECT)
            entry = letter.entries.get()
            assert letter.status == "registered"
            assert entry.number >= 1 and entry.period == be_year(timezone.localdate())

        # 3. Routed to the officer with an instruction and a due date.
        clerk.goto(f"{base}/staff/letters/{letter.pk}/")
        clerk.locator("details.action > summary", has_text="ส่งต่อ").click()
        forward = clerk.locator("form[action$='/forward/']")
        forward.get_by_label("ส่งถึงเจ้าหน้าที่").select_option(str(officer_user.pk))
        forward.get_by_label("คำสั่ง/ข้อความ").fill("โปรดตรวจสอบพื้นที่และรายงานภายใน 7 วัน")
        forward.get_by_role("button", name="ส่งต่อ").click()
        clerk.wait_for_load_state("networkidle")
        expect(clerk.get_by_text("โปรดตรวจสอบพื้นที่").first).to_be_visible()
        clerk.screenshot(path=str(shots / "4-forwarded.png"), full_page=True)

        # 4. The officer, on a phone, acknowledges and completes the task.
        staff_login(officer, base, "e2eofficer", PASSWORD)
        officer.goto(f"{base}/staff/tasks/")
        task = officer.locator(".task", has_text=SUBJECT)
        expect(task).to_be_visible()
        task.get_by_role("button", name="รับทราบ").click()
        task = officer.locator(".task", has_text=SUBJECT)
        expect(task.get_by_text("รับทราบแล้ว")).to_be_visible()
        officer.screenshot(path=str(shots / "5-acknowledged-phone.png"), full_page=True)
        task.locator("summary", has_text="ดำเนินการแล้ว").click()
        task.get_by_label("ผลการดำเนินการ").fill("ตรวจสอบพื้นที่แล้ว ส่งกองช่างประมาณราคา")
        task.get_by_role("button", name="บันทึกว่าดำเนินการแล้ว").click()
        expect(officer.locator(".task", has_text=SUBJECT).locator(".finished-note")).to_be_visible()
        officer.wait_for_load_state("networkidle")
        with tenant:
            assignment = letter.assignments.get()
            assert assignment.acknowledged_at is not None
            assert assignment.done_at is not None

        # 5. The clerk closes the matter and stores the letter (forms 19/20).
        clerk.goto(f"{base}/staff/letters/{letter.pk}/")
        clerk.locator("details.action > summary", has_text="ปิดเรื่อง").click()
        clerk.locator("form[action$='/close/']").get_by_role("button", name="ปิดเรื่อง").click()
        clerk.wait_for_load_state("networkidle")
        store = clerk.locator("form[action$='/store/']")
        store.get_by_label("รหัสแฟ้ม").fill("กช.1/2569")
        store.get_by_role("button", name="ส่งเก็บ").click()
        clerk.wait_for_load_state("networkidle")
        clerk.screenshot(path=str(shots / "6-stored.png"), full_page=True)
        with tenant:
            record = StorageRecord.objects.get(letter=letter)
            this_year = be_year(timezone.localdate())
            assert record.keep_until_year == this_year + 1  # routine: one year after finishing
            # Years pass: the retention ended last year (the clock of the world, not of the code).
            StorageRecord.objects.filter(pk=record.pk).update(keep_until_year=this_year - 1)

        # 6. The clerk finds it due and makes the destruction list (form 25) for last year.
        clerk.goto(f"{base}/staff/retention/destruction/")
        expect(clerk.get_by_text(SUBJECT).first).to_be_visible()
        clerk.get_by_role("button", name=re.compile("จัดทำบัญชีหนังสือขอทำลาย")).click()
        clerk.wait_for_load_state("networkidle")
        expect(clerk.get_by_text(SUBJECT).first).to_be_visible()
        clerk.screenshot(path=str(shots / "7-destruction-list.png"), full_page=True)
        browser.close()

    with tenant:
        letter.refresh_from_db()
        assert letter.destruction_items.filter(destruction_list__year=this_year - 1).exists()
        actions = list(letter.audit.values_list("action", flat=True))
    # The letter's trail, in order: every step left its link in the audit chain.
    expected = [
        "intake.create",
        "register.receive",
        "routing.forward",
        "routing.acknowledge",
        "routing.complete",
        "routing.close",
        "retention.store",
        "retention.destruction_listed",
    ]
    steps = [a for a in actions if a in expected]
    assert steps == expected, actions
