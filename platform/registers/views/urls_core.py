"""Daily work of clerks and executives, under /staff/ on the municipality's host."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from registers.views import (
    dashboard,
    dispatch,
    intake,
    letters,
    outgoing,
    registers,
    reports,
    search,
    tasks,
)

urlpatterns: list[URLPattern | URLResolver] = [
    path("", dashboard.dashboard, name="dashboard"),
    path("intake/", intake.intake_list, name="intake"),
    path("intake/new/", intake.intake_new, name="intake-new"),
    path("intake/<int:pk>/register/", intake.intake_register, name="intake-register"),
    path("intake/<int:pk>/reject/", intake.intake_reject_view, name="intake-reject"),
    path("registers/<str:register>/", registers.register_list, name="register-list"),
    path("entries/<int:pk>/cancel/", registers.entry_cancel_view, name="entry-cancel"),
    path("reserve/", registers.reserve, name="reserve"),
    path("outgoing/new/", outgoing.outgoing_new, name="outgoing-new"),
    path("letters/<int:pk>/", letters.letter_detail, name="letter-detail"),
    path("letters/<int:pk>/number/", letters.letter_number, name="letter-number"),
    path("letters/<int:pk>/email/", dispatch.letter_dispatch_view, name="letter-dispatch"),
    path("letters/<int:pk>/endorse/", letters.letter_endorse_view, name="letter-endorse"),
    path("letters/<int:pk>/forward/", letters.letter_forward_view, name="letter-forward"),
    path("letters/<int:pk>/close/", letters.letter_close_view, name="letter-close"),
    path("letters/<int:pk>/store/", letters.letter_store_view, name="letter-store"),
    path("letters/<int:pk>/access/", letters.letter_grant_view, name="letter-grant"),
    path("files/<int:pk>/", letters.attachment_download, name="attachment-download"),
    path(
        "tasks/<int:pk>/acknowledge/",
        letters.assignment_acknowledge_view,
        name="assignment-acknowledge",
    ),
    path("tasks/<int:pk>/complete/", letters.assignment_complete_view, name="assignment-complete"),
    path("tasks/", tasks.my_tasks, name="my-tasks"),
    path("overdue/", tasks.overdue, name="overdue"),
    path("delegations/", tasks.delegations, name="delegations"),
    path("delegations/<int:pk>/revoke/", tasks.delegation_revoke_view, name="delegation-revoke"),
    path("search/", search.search, name="search"),
    path("reports/", reports.reports, name="reports"),
]
