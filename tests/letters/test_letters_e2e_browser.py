"""End to end in headless Chromium: an officer drafts a letter watching the live preview, the
mayor approves it and sees its number, and anyone can open the public check page.

Screenshots of each step are saved under var/screenshots/letters-e2e/.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connections

from tests.conftest import host_of, make_staff
from tests.letters.helpers_letters import SIGN_TASK, queued_tasks, signed
from tests.registers.helpers_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    SCREENSHOTS,
    live_server,
    staff_login,
)

pytestmark = [pytest.mark.letters, pytest.mark.browser]

PASSWORD = "a-long-passphrase-2569"
SUBJECT = "ขอความอนุเคราะห์ใช้สถานที่จัดประชุมประชาคมหมู่บ้าน"


def test_draft_with_live_preview_then_approve_and_see_the_number(
    committed_tenant: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from playwright.sync_api import expect, sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from letters.models import LetterDraft
    from registers.agency import current_agency

    tenant = committed_tenant
    make_staff(
        tenant,
        "e2ewriter",
        password=PASSWORD,
        role_codes=("officer",),
        first_name="สมศรี",
        last_name="เขียนดี",
        position="นักจัดการงานทั่วไป",
    )
    make_staff(
        tenant,
        "e2emayor",
        password=PASSWORD,
        role_codes=("executive",),
        first_name="สมชาย",
        last_name="ใจดี",
        position="นายกเทศมนตรี",
    )
    with tenant:
        prefix = current_agency().letter_code_prefix
    shots = SCREENSHOTS / "letters-e2e"
    shots.mkdir(parents=True, exist_ok=True)

    with live_server(host_of(tenant)) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        writer = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        mayor = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        for page in (writer, mayor):
            page.set_default_timeout(90_000)
        expect.set_options(timeout=30_000)

        # 1. The officer drafts an external letter; the preview appears and follows the typing.
        staff_login(writer, base, "e2ewriter", PASSWORD)
        writer.goto(f"{base}/staff/drafts/")
        writer.get_by_role("link", name="หนังสือภายนอก").click()
        writer.screenshot(path=str(shots / "0-new-draft.png"), full_page=True)
        preview = writer.locator("#letter-preview img.preview-page")
        expect(preview.first).to_be_visible()
        before = preview.first.get_attribute("src")
        writer.fill("#id_subject", SUBJECT)
        writer.fill("#id_addressee", "เจ้าอาวาสวัดโพธิ์ชัย")
        writer.fill(
            "#id_body",
            "ด้วยเทศบาลมีกำหนดจัดประชุมประชาคมหมู่บ้านเพื่อจัดทำแผนพัฒนาท้องถิ่น"
            " ในวันที่ 5 ธันวาคม 2569 เวลา 09.00 น.\n"
            "จึงเรียนมาเพื่อโปรดพิจารณาอนุเคราะห์ให้ใช้ศาลาการเปรียญเป็นสถานที่ประชุม",
        )
        writer.select_option("#id_urgency", "urgent")
        expect(preview.first).not_to_have_attribute("src", before or "")
        writer.wait_for_load_state("networkidle")
        writer.screenshot(path=str(shots / "1-draft-live-preview.png"), full_page=True)
        writer.get_by_role("button", name="บันทึกและเสนอลงนาม").click()
        expect(writer.locator(".draft-status")).to_contain_text("เสนอลงนาม")
        writer.screenshot(path=str(shots / "2-submitted.png"), full_page=True)

        # 2. The mayor finds it waiting, reads the preview and approves it: it gets its number.
        staff_login(mayor, base, "e2emayor", PASSWORD)
        mayor.goto(f"{base}/staff/drafts/")
        mayor.get_by_role("link", name=SUBJECT).click()
        expect(mayor.locator("#letter-preview img.preview-page").first).to_be_visible()
        mayor.screenshot(path=str(shots / "3-approver-reads.png"), full_page=True)
        mayor.get_by_role("button", name="อนุมัติและออกเลข").click()
        number = mayor.locator(".issued-number")
        expect(number).to_have_text(f"{prefix}/1")
        # Numbered at once; the signature is made after the commit, by a worker (none runs
        # here: the test signs in its own process, and the page follows by itself).
        expect(mayor.locator("#issued-head")).to_have_text("ออกเลขแล้ว รอลงนาม")
        mayor.screenshot(path=str(shots / "4-approved-awaiting-signature.png"), full_page=True)
        with tenant:
            draft = LetterDraft.objects.get(subject=SUBJECT)
            assert draft.status == "signing"
            token = draft.issued.verify_token
        waiting = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
        waiting.goto(f"{base}/verify/{token}/")
        expect(waiting.locator("#verify-status")).to_have_text("รอลงนาม")
        with tenant:
            signed(draft.issued)
            draft.refresh_from_db()
            assert draft.status == "issued"
            sha = draft.issued.sha256
        # ORM calls under Playwright's greenlet opened a connection of their own; close it, or
        # it outlives the test and the test database cannot be dropped.
        connections.close_all()
        expect(mayor.locator("#issued-head")).to_have_text("ออกเลขแล้ว", timeout=20_000)
        expect(mayor.get_by_role("link", name="ดาวน์โหลด PDF")).to_be_visible()
        mayor.screenshot(path=str(shots / "4-approved-numbered.png"), full_page=True)

        # 3. Anyone holding the letter opens its check page, without logging in.
        visitor = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
        visitor.goto(f"{base}/verify/{token}/")
        expect(visitor.locator("#verify-number")).to_have_text(f"{prefix}/1")
        expect(visitor.locator("#verify-sha256")).to_have_text(sha)
        visitor.get_by_label("หรือค่า SHA-256 ของไฟล์").fill(sha)
        visitor.get_by_role("button", name="ตรวจสอบ").click()
        expect(visitor.locator(".verify-result.same")).to_be_visible()
        visitor.screenshot(path=str(shots / "5-public-check-phone.png"), full_page=True)
        browser.close()
    queued_tasks(SIGN_TASK, take=True)  # the message the approval queued (no worker here)
