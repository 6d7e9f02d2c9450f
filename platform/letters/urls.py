"""Drafting pages under /staff/drafts/ and the public check under /verify/ (tenant host)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from letters.views import drafts, preview, verify

app_name = "letters"

urlpatterns: list[URLPattern | URLResolver] = [
    path("staff/drafts/", drafts.draft_list, name="drafts"),
    path("staff/drafts/new/", drafts.draft_new, name="draft-new"),
    path("staff/drafts/preview/", preview.draft_preview, name="draft-preview"),
    path("staff/drafts/<int:pk>/", drafts.draft_detail, name="draft-detail"),
    path("staff/drafts/<int:pk>/preview/", preview.draft_preview_saved, name="draft-preview-saved"),
    path("staff/drafts/<int:pk>/submit/", drafts.draft_submit_view, name="draft-submit"),
    path("staff/drafts/<int:pk>/approve/", drafts.draft_approve_view, name="draft-approve"),
    path("staff/drafts/<int:pk>/return/", drafts.draft_return_view, name="draft-return"),
    path("staff/drafts/<int:pk>/pdf/", drafts.issued_pdf, name="issued-pdf"),
    path("staff/drafts/<int:pk>/send/", drafts.issued_send_view, name="issued-send"),
    path(
        "staff/drafts/<int:pk>/sign-again/", drafts.issued_sign_again_view, name="issued-sign-again"
    ),
    path("verify/<str:token>/", verify.verify, name="verify"),
]
