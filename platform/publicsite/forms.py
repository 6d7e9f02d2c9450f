"""The tenant admin's form for the contact page and the channel announcement."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class SiteContactForm(forms.Form):
    phone = forms.CharField(
        label=_("โทรศัพท์ของสำนักงาน"),
        max_length=60,
        required=False,
        help_text=_("ถ้าเว้นว่าง จะแสดงโทรศัพท์ของผู้รับผิดชอบอีเมลกลาง"),
    )
    office_hours = forms.CharField(label=_("เวลาทำการ"), max_length=200)
    postal_address = forms.CharField(
        label=_("ที่อยู่ทางไปรษณีย์"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000
    )
    announcement_text = forms.CharField(
        label=_("ประกาศช่องทางการติดต่อราชการทางอิเล็กทรอนิกส์"),
        widget=forms.Textarea(attrs={"rows": 14}),
        max_length=5000,
        required=False,
        help_text=_(
            "ถ้าเว้นว่าง จะใช้ข้อความมาตรฐาน คำต่อไปนี้จะถูกแทนด้วยข้อมูลจริงเมื่อแสดง: "
            "$name (ชื่อหน่วยงาน) $address (อีเมลกลาง) $phone $website $hours (เวลาทำการ) "
            "$postal (ที่อยู่ทางไปรษณีย์)"
        ),
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("เหตุผลที่ถอน"), max_length=500, required=False)
