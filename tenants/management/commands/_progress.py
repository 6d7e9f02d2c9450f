from __future__ import annotations

from django.core.management.base import OutputWrapper
from django.utils import translation

from tenants.models import OnboardingStatus, OnboardingStep
from tenants.onboarding import ProgressCallback, Step, pipeline


def step_printer(stdout: OutputWrapper) -> ProgressCallback:
    """Print '[n/N] label ... done' after each onboarding step, Thai then English."""
    total = len(pipeline())

    def show(step: Step, record: OnboardingStep) -> None:
        with translation.override("en"):
            english = str(step.label)
        mark = "✓" if record.status == OnboardingStatus.DONE else "✗"
        stdout.write(f"[{record.position + 1}/{total}] {mark} {step.label} / {english}")
        if record.status == OnboardingStatus.FAILED:
            stdout.write(f"      {record.last_error}")

    return show
