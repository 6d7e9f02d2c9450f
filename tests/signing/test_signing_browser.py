"""In headless Chromium: a signer uploads their PKCS#12 on the staff page, and a clerk sees the
signature check of an arrived signed letter. Screenshots in var/screenshots/signing/."""

from __future__ import annotations

from typing import Any

import pytest

from registers.inputs import FileInput
from registers.services import letters as svc
from signing.intake import attachment_signature_check
from signing.services import SignatureAppearance, pdf_sign
from tests.conftest import host_of, make_staff
from tests.registers.conftest import letter_input
from tests.registers.helpers_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    SCREENSHOTS,
    live_server,
    staff_login,
)
from tests.signing.conftest import letter_pdf, queued_signature_checks, signer_of
from tests.signing.helpers_pki import Pki

pytestmark = [pytest.mark.letters, pytest.mark.browser]

PASSWORD = "a-long-passphrase-2569"


def test_upload_credential_and_see_an_arrived_signature(
    committed_tenant: Any, signing_env: Pki, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    tenant = committed_tenant
    make_staff(tenant, "signer", password=PASSWORD, role_codes=("executive",), first_name="สมชาย")
    clerk = make_staff(tenant, "clerk", password=PASSWORD, role_codes=("central_clerk",))
    # Sign and check before Playwright starts its event loop in this thread.
    signed = pdf_sign(
        pdf=letter_pdf(), credential=signer_of(signing_env, signing_env.valid),
        visible=SignatureAppearance(name_th="นายสมชาย ใจดี", position_th="นายอำเภอเมือง"),
    )  # fmt: skip
    with tenant:
        letter = svc.intake_create(
            data=letter_input(), files=[FileInput(name="หนังสือลงนาม.pdf", content=signed)],
            actor=clerk,
        )  # fmt: skip
        attachment_signature_check(letter.attachments.get())
    queued_signature_checks(take=True)  # no worker here: the check ran just above
    p12 = tmp_path / "signer.p12"
    p12.write_bytes(signing_env.p12(signing_env.valid))
    shots = SCREENSHOTS / "signing"
    shots.mkdir(parents=True, exist_ok=True)

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import expect, sync_playwright

    with live_server(host_of(tenant)) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
        page.set_default_timeout(90_000)
        expect.set_options(timeout=30_000)
        staff_login(page, base, "signer", PASSWORD)
        page.goto(f"{base}/staff/signing/")
        expect(page.get_by_role("heading", name="ใบรับรองสำหรับลงนาม", exact=True)).to_be_visible()
        page.locator("input[name=p12-file]").set_input_files(str(p12))
        page.locator("input[name=p12-password]").fill("wrong")
        page.get_by_role("button", name="บันทึกใบรับรอง", exact=True).click()
        expect(page.get_by_role("alert")).to_contain_text("รหัสผ่านไม่ถูกต้อง")
        page.screenshot(path=str(shots / "credential-refused.png"), full_page=True)
        page.locator("input[name=p12-file]").set_input_files(str(p12))
        page.locator("input[name=p12-password]").fill("test-pass")
        page.get_by_role("button", name="บันทึกใบรับรอง", exact=True).click()
        expect(page.get_by_text("นายสมชาย ใจดี").first).to_be_visible()
        expect(page.get_by_role("button", name="เพิกถอนใบรับรองนี้")).to_be_visible()
        page.screenshot(path=str(shots / "credential-active.png"), full_page=True)

        page.context.clear_cookies()
        staff_login(page, base, "clerk", PASSWORD)
        page.goto(f"{base}/staff/letters/{letter.pk}/")
        expect(page.get_by_text("ลายมือชื่อดิจิทัล: ลายมือชื่อถูกต้อง")).to_be_visible()
        page.get_by_text("รายละเอียดการตรวจ").click()
        page.screenshot(path=str(shots / "letter-signature-check.png"), full_page=True)
        browser.close()
