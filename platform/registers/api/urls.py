"""API routes on the municipality's own host (mounted at /api/): v1, its OpenAPI schema, docs.

Swagger UI and Redoc load their assets from drf-spectacular-sidecar's static files, never a CDN.
"""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from registers.api.views.account import MeView
from registers.api.views.entries import EntryCancelView, RegisterEntriesView, ReservationsView
from registers.api.views.files import AttachmentDownloadView
from registers.api.views.letters import (
    IntakeCreateView,
    IntakeRegisterView,
    IntakeRejectView,
    LetterDetailView,
    LetterListView,
    OutgoingCreateView,
    OutgoingNumberView,
)
from registers.api.views.routing import (
    AcknowledgeView,
    CompleteView,
    EndorseView,
    ForwardView,
    OverdueView,
    TasksView,
)

app_name = "api"

v1: list[URLPattern | URLResolver] = [
    path("me/", MeView.as_view(), name="me"),
    path("letters/", LetterListView.as_view(), name="letter-list"),
    path("letters/intake/", IntakeCreateView.as_view(), name="intake-create"),
    path("letters/outgoing/", OutgoingCreateView.as_view(), name="outgoing-create"),
    path("letters/<int:pk>/", LetterDetailView.as_view(), name="letter-detail"),
    path("letters/<int:pk>/register/", IntakeRegisterView.as_view(), name="letter-register"),
    path("letters/<int:pk>/reject/", IntakeRejectView.as_view(), name="letter-reject"),
    path("letters/<int:pk>/number/", OutgoingNumberView.as_view(), name="letter-number"),
    path("letters/<int:pk>/endorse/", EndorseView.as_view(), name="letter-endorse"),
    path("letters/<int:pk>/forward/", ForwardView.as_view(), name="letter-forward"),
    path(
        "assignments/<int:pk>/acknowledge/",
        AcknowledgeView.as_view(),
        name="assignment-acknowledge",
    ),
    path("assignments/<int:pk>/complete/", CompleteView.as_view(), name="assignment-complete"),
    path("tasks/", TasksView.as_view(), name="tasks"),
    path("tasks/overdue/", OverdueView.as_view(), name="overdue"),
    path(
        "registers/<str:register>/entries/", RegisterEntriesView.as_view(), name="register-entries"
    ),
    path("entries/<int:pk>/cancel/", EntryCancelView.as_view(), name="entry-cancel"),
    path("reservations/", ReservationsView.as_view(), name="reservations"),
    path(
        "attachments/<int:pk>/download/",
        AttachmentDownloadView.as_view(),
        name="attachment-download",
    ),
]

urlpatterns: list[URLPattern | URLResolver] = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
]
