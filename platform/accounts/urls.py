from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from accounts.two_factor import login as two_factor_login
from accounts.two_factor import views as two_factor_views

app_name = "accounts"

urlpatterns = [
    path("login/", two_factor_login.StaffLoginView.as_view(), name="login"),
    path("login/verify/", two_factor_login.login_verify, name="login_verify"),
    path("two-factor/", two_factor_views.two_factor_page, name="two_factor"),
    path(
        "two-factor/reset/<int:user_id>/",
        two_factor_views.two_factor_reset,
        name="two_factor_reset",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password-reset/",
        auth_views.PasswordResetView.as_view(
            template_name="accounts/password_reset_form.html",
            email_template_name="accounts/email/password_reset.txt",
            subject_template_name="accounts/email/password_reset_subject.txt",
            success_url=reverse_lazy("accounts:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
]
