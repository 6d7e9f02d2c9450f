"""Periodic DNS checks of every mail domain (Celery beat)."""

from __future__ import annotations

import logging

from celery import shared_task

from mailhosting.models import MailDomain
from mailhosting.selectors import domains_due_for_check
from mailhosting.services import dns_check_run

logger = logging.getLogger(__name__)


@shared_task(name="mailhosting.tasks.check_all_domains")
def check_all_domains() -> int:
    """Queue one check per domain, so that one slow name server delays nobody else."""
    count = 0
    for domain_id in domains_due_for_check().values_list("pk", flat=True):
        check_domain.delay(domain_id)
        count += 1
    return count


@shared_task(name="mailhosting.tasks.check_domain", acks_late=True)
def check_domain(domain_id: int) -> None:
    domain = MailDomain.objects.filter(pk=domain_id).first()
    if domain is None:
        return
    dns_check_run(domain=domain)


@shared_task(name="mailhosting.tasks.send_acknowledgement", acks_late=True)
def send_acknowledgement(ack_id: int) -> None:
    """One notice (messages queued before notices were sent per batch)."""
    send_acknowledgements([ack_id])


@shared_task(name="mailhosting.tasks.send_acknowledgements", acks_late=True)
def send_acknowledgements(ack_ids: list[int]) -> int:
    """The notices of one batch of arrived letters; each keeps its own attempts and status,
    and one that fails is left to the sweep."""
    from mailhosting.acknowledgements import acknowledgement_send
    from mailhosting.models import Acknowledgement

    return sum(
        acknowledgement_send(ack=ack) for ack in Acknowledgement.objects.filter(pk__in=ack_ids)
    )


@shared_task(name="mailhosting.tasks.sweep_acknowledgements")
def sweep_acknowledgements() -> int:
    """Send what the immediate task did not (broker down, worker crash, a failed attempt)."""
    from mailhosting.acknowledgements import acknowledgement_send, acknowledgements_pending
    from mailhosting.models import Acknowledgement

    sent = 0
    for ack in Acknowledgement.objects.filter(pk__in=acknowledgements_pending()):
        sent += acknowledgement_send(ack=ack)
    return sent
