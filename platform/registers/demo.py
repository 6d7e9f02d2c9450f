"""Sample correspondence for the demo municipality (infra/dev/up): only when it has no letters."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import typst
from django.utils import timezone

from registers.choices import Channel, RegisterKind, Urgency
from registers.inputs import FileInput, LetterInput
from registers.models import Letter
from registers.services import letters as svc

FONTS = Path(__file__).resolve().parent / "fonts"

# (sender, reference, subject, urgency, register it now?)
INCOMING = (
    (
        "ที่ทำการปกครองจังหวัดขอนแก่น",
        "ขก 0023.3/ว 1457",
        "ขอเชิญประชุมคณะกรรมการพัฒนาท้องถิ่น ประจำปีงบประมาณ พ.ศ. 2570",
        Urgency.URGENT,
        True,
    ),
    (
        "สำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัดขอนแก่น",
        "ขก 0023.5/ว 2231",
        "การจัดทำแผนพัฒนาท้องถิ่น (พ.ศ. 2571-2575)",
        Urgency.NORMAL,
        True,
    ),
    (
        "กรมบัญชีกลาง",
        "กค 0405.4/ว 512",
        "แนวทางปฏิบัติการจัดซื้อจัดจ้างภาครัฐด้วยระบบอิเล็กทรอนิกส์",
        Urgency.VERY_URGENT,
        True,
    ),
    (
        "โรงเรียนบ้านโนนสะอาด",
        "ศธ 04010.123/88",
        "ขอความอนุเคราะห์รถบรรทุกน้ำสำหรับกิจกรรมวันเด็กแห่งชาติ",
        Urgency.NORMAL,
        False,
    ),
    (
        "สำนักงานสาธารณสุขอำเภอเมืองขอนแก่น",
        "ขก 0032.001/ว 77",
        "การป้องกันและควบคุมโรคไข้เลือดออกในพื้นที่",
        Urgency.MOST_URGENT,
        False,
    ),
    ("นายสมชาย ใจงาม", "", "ขอให้ซ่อมแซมไฟฟ้าส่องสว่างสาธารณะ หมู่ที่ 5", Urgency.NORMAL, False),
)
OUTGOING = (
    (
        "นายอำเภอเมืองขอนแก่น",
        "รายงานผลการดำเนินงานศูนย์ปฏิบัติการป้องกันและบรรเทาสาธารณภัย",
        RegisterKind.SEND,
    ),
    ("ผู้อำนวยการกอง และหัวหน้าส่วนราชการทุกส่วน", "การปฏิบัติราชการในช่วงเทศกาลปีใหม่", RegisterKind.CIRCULAR),
)

LETTER_TEMPLATE = """
#let d = json(bytes(sys.inputs.letter))
#set page(paper: "a4", margin: (left: 3cm, right: 2cm, top: 2.5cm, bottom: 2cm))
#set text(font: "Laksaman", size: 16pt, lang: "th")
#align(right)[ที่ #d.reference]
#v(1em)
#align(right)[#d.date]
#v(1em)
เรื่อง #h(1em) #d.subject

เรียน #h(1em) นายกเทศมนตรีตำบลสาธิต

#par(first-line-indent: 2.5cm)[#d.body]
#v(2em)
#align(center)[ขอแสดงความนับถือ #v(3em) (#d.sender)]
"""


def demo_letter_pdf(*, reference: str, subject: str, sender: str, when: date) -> bytes:
    from thaiformat.dates import format_thai_date

    data = {
        "reference": reference or "-",
        "date": format_thai_date(when),
        "subject": subject,
        "sender": sender,
        "body": f"ด้วย{sender}ขอแจ้งเรื่อง{subject} จึงเรียนมาเพื่อโปรดพิจารณาดำเนินการต่อไปด้วย จะเป็นพระคุณ",
    }
    # typst's stub ties input and font paths to one type variable; bytes + str paths is valid.
    compile_pdf: Any = typst.compile
    pdf: bytes = compile_pdf(
        LETTER_TEMPLATE.encode(),
        font_paths=[str(FONTS)],
        ignore_system_fonts=True,
        sys_inputs={"letter": json.dumps(data, ensure_ascii=False)},
    )
    return pdf


def demo_letters_seed(*, clerk: Any) -> int:
    """Create the sample letters once; returns how many were created."""
    if Letter.objects.exists():
        return 0
    today = timezone.localdate()
    created = 0
    for index, (sender, reference, subject, urgency, register) in enumerate(INCOMING):
        when = today - timedelta(days=len(INCOMING) - index)
        pdf = demo_letter_pdf(reference=reference, subject=subject, sender=sender, when=when)
        letter = svc.intake_create(
            data=LetterInput(
                channel=Channel.EMAIL if reference else Channel.HAND,
                reference=reference,
                letter_date=when,
                sender=sender,
                recipient="นายกเทศมนตรีตำบลสาธิต",
                subject=subject,
                urgency=urgency,
            ),
            files=[FileInput(name=f"{subject}.pdf", content=pdf)],  # whole: a cut may split ที่
            actor=clerk,
        )
        if register:
            svc.letter_register_incoming(letter=letter, actor=clerk)
        created += 1
    for recipient, subject, register_kind in OUTGOING:
        draft = svc.letter_create_outgoing(
            data=LetterInput(
                channel=Channel.EMAIL, recipient=recipient, subject=subject, sender="เทศบาลตำบลสาธิต"
            ),
            actor=clerk,
        )
        svc.letter_register_outgoing(letter=draft, register=register_kind, actor=clerk)
        created += 1
    return created
