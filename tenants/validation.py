"""Checks of onboarding input, with messages in Thai (English through the translation catalog)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tenants.models import Domain, Municipality, OrganisationType
from tenants.provinces import PROVINCES

# Host labels the platform itself uses, or that would confuse people or mail clients.
RESERVED_SLUGS = frozenset(
    {
        "www",
        "admin",
        "mail",
        "api",
        "app",
        "apps",
        "console",
        "public",
        "static",
        "media",
        "smtp",
        "imap",
        "pop",
        "pop3",
        "mx",
        "ns",
        "ns1",
        "ns2",
        "ftp",
        "webmail",
        "autoconfig",
        "autodiscover",
        "mta-sts",
        "dkim",
        "dmarc",
        "status",
        "help",
        "support",
        "billing",
        "stripe",
        "backup",
        "backups",
        "saraban",
        "vendor",
        "root",
        "test",
        "localhost",
        "tenant-template",
        "information-schema",
    }
)
SLUG_RE = re.compile(r"^[a-z][a-z0-9-]{1,38}[a-z0-9]$")
THAI_RE = re.compile(r"[\u0E00-\u0E7F]")
# รหัสตัวพยัญชนะและเลขประจำหน่วยงาน: 2-3 Thai consonants, a space, 4-5 digits, optional .sub-units
LETTER_CODE_RE = re.compile(r"^([ก-ฮ]{2,3})\s*([0-9]{4,5}(?:\.[0-9]{1,3})*)$")
# DLA's organisation code (รหัส อปท.); its exact form is a setting, 7 digits by default.
DLA_CODE_RE = re.compile(getattr(settings, "TENANT_DLA_CODE_PATTERN", r"^[0-9]{7}$"))
HOSTNAME_RE = re.compile(r"^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


class OnboardingValidationError(Exception):
    """Every problem with the input at once, per field."""

    def __init__(self, errors: dict[str, list[Promise | str]]) -> None:
        self.errors = errors
        super().__init__(self.bilingual())

    def messages(self, language: str) -> dict[str, list[str]]:
        with translation.override(language):
            return {field: [str(m) for m in msgs] for field, msgs in self.errors.items()}

    def bilingual(self) -> str:
        th, en = self.messages("th"), self.messages("en")
        lines = []
        for field in self.errors:
            for thai, english in zip(th[field], en[field], strict=True):
                lines.append(f"{field}: {thai} / {english}")
        return "\n".join(lines)


@dataclasses.dataclass(frozen=True)
class OnboardingRequest:
    """What the vendor enters to onboard a municipality."""

    name_th: str
    organisation_type: str
    province: str
    slug: str
    letter_code_prefix: str
    officer_name: str
    officer_phone: str
    admin_email: str
    admin_name: str = ""
    name_en: str = ""
    district: str = ""
    dla_code: str = ""
    custom_domains: tuple[str, ...] = ()


def normalise_phone(raw: str) -> str | None:
    """A Thai phone number as 0XXXXXXXX(X), with an optional extension; None if not one."""
    text = raw.strip()
    extension = ""
    match = re.search(r"(?:ต่อ|ext\.?|x)\s*([0-9]{1,5})$", text, flags=re.IGNORECASE)
    if match:
        extension = match.group(1)
        text = text[: match.start()]
    digits = re.sub(r"[\s\-().]", "", text)
    if digits.startswith("+66"):
        digits = "0" + digits[3:]
    if not re.fullmatch(r"0[0-9]{8,9}", digits):
        return None
    if len(digits) == 10 and digits[1] not in "689":  # 10 digits are mobile numbers only
        return None
    return f"{digits} ต่อ {extension}" if extension else digits


def normalise_letter_code(raw: str) -> str | None:
    match = LETTER_CODE_RE.match(raw.strip())
    if not match:
        return None
    return f"{match.group(1)} {match.group(2)}"


def _slug_errors(slug: str) -> list[Promise]:
    if not SLUG_RE.match(slug) or "--" in slug:
        return [
            _("โดเมนย่อยต้องยาว 3-40 ตัว ใช้ได้เฉพาะ a-z 0-9 และขีดกลาง ขึ้นต้นด้วยตัวอักษรและไม่ลงท้ายด้วยขีดกลาง")
        ]
    if slug in RESERVED_SLUGS or slug.startswith("pg-") or slug.startswith("spare-"):
        return [_("โดเมนย่อยนี้สงวนไว้สำหรับระบบ กรุณาเลือกชื่ออื่น")]
    if (
        Municipality.objects.filter(slug=slug).exists()
        or Municipality.objects.filter(schema_name=schema_name_for(slug)).exists()
    ):
        return [_("โดเมนย่อยนี้มีหน่วยงานอื่นใช้อยู่แล้ว")]
    if Domain.objects.filter(domain=primary_domain_for(slug)).exists():
        return [_("ที่อยู่เว็บไซต์นี้มีหน่วยงานอื่นใช้อยู่แล้ว")]
    return []


def _custom_domain_errors(domains: Iterable[str]) -> list[Promise]:
    errors: list[Promise] = []
    for domain in domains:
        if not HOSTNAME_RE.match(domain):
            errors.append(_("ชื่อโดเมนไม่ถูกต้อง"))
        elif domain == settings.PLATFORM_DOMAIN or domain.endswith("." + settings.PLATFORM_DOMAIN):
            errors.append(_("โดเมนของหน่วยงานต้องไม่อยู่ใต้โดเมนของระบบ"))
        elif Domain.objects.filter(domain=domain).exists():
            errors.append(_("ที่อยู่เว็บไซต์นี้มีหน่วยงานอื่นใช้อยู่แล้ว"))
    return errors


def schema_name_for(slug: str) -> str:
    return slug.replace("-", "_")


def primary_domain_for(slug: str) -> str:
    return f"{slug}.{settings.PLATFORM_DOMAIN}"


def validate_onboarding(request: OnboardingRequest) -> OnboardingRequest:
    """Return the request normalised, or raise OnboardingValidationError listing every problem."""
    errors: dict[str, list[Promise | str]] = {}

    def add(field: str, *messages: Promise) -> None:
        if messages:
            errors.setdefault(field, []).extend(messages)

    name_th = " ".join(request.name_th.split())
    if not name_th:
        add("name_th", _("กรุณากรอกชื่อหน่วยงานภาษาไทย"))
    elif not THAI_RE.search(name_th):
        add("name_th", _("ชื่อหน่วยงานภาษาไทยต้องมีอักษรไทย"))
    if request.organisation_type not in OrganisationType.values:
        add("organisation_type", _("ประเภทองค์กรไม่ถูกต้อง"))
    province = request.province.strip()
    if province.startswith("จังหวัด"):
        province = province.removeprefix("จังหวัด")
    if province not in PROVINCES:
        english = {en.lower(): th for th, en in PROVINCES.items()}
        province = english.get(province.lower(), province)
        if province not in PROVINCES:
            add("province", _("ไม่พบจังหวัดนี้"))
    slug = request.slug.strip().lower()
    add("slug", *_slug_errors(slug))
    letter_code = normalise_letter_code(request.letter_code_prefix)
    if letter_code is None:
        add("letter_code_prefix", _("รหัสหนังสือต้องเป็นพยัญชนะไทย 2-3 ตัวตามด้วยตัวเลข เช่น ตร 52301"))
    dla_code = request.dla_code.strip()
    if dla_code:
        if not DLA_CODE_RE.match(dla_code):
            add("dla_code", _("รหัส อปท. ต้องเป็นตัวเลข 7 หลัก"))
        elif Municipality.objects.filter(dla_code=dla_code).exists():
            add("dla_code", _("รหัส อปท. นี้ลงทะเบียนไว้แล้ว"))
    officer_name = " ".join(request.officer_name.split())
    if not officer_name:
        add("officer_name", _("กรุณากรอกชื่อผู้รับผิดชอบ"))
    phone = normalise_phone(request.officer_phone)
    if phone is None:
        add("officer_phone", _("หมายเลขโทรศัพท์ไม่ถูกต้อง เช่น 02 123 4567 หรือ 081 234 5678"))
    admin_email = request.admin_email.strip().lower()
    try:
        validate_email(admin_email)
    except ValidationError:
        add("admin_email", _("อีเมลของผู้ดูแลระบบไม่ถูกต้อง"))
    custom_domains = tuple(
        sorted({d.strip().lower().strip(".") for d in request.custom_domains if d.strip()})
    )
    add("custom_domains", *_custom_domain_errors(custom_domains))

    if errors:
        raise OnboardingValidationError(errors)
    return dataclasses.replace(
        request,
        name_th=name_th,
        name_en=" ".join(request.name_en.split()),
        province=province,
        district=" ".join(request.district.split()),
        slug=slug,
        letter_code_prefix=letter_code or "",
        dla_code=dla_code,
        officer_name=officer_name,
        officer_phone=phone or "",
        admin_email=admin_email,
        admin_name=" ".join(request.admin_name.split()),
        custom_domains=custom_domains,
    )
