"""OCSP, CRL and certificate fetching for signatures, refused towards private addresses.

A PDF that arrives from anyone carries certificates whose URLs (AIA, CRL distribution points)
its sender chose; fetching them blindly would let a letter make our worker call internal
services (SSRF). Only http(s) URLs whose host resolves to public addresses are fetched, unless
SIGNING_FETCH_PRIVATE_ADDRESSES is set (a CA inside the operator's network; the tests).
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from pyhanko_certvalidator.fetchers.api import Fetchers
from pyhanko_certvalidator.fetchers.common_utils import FetchBudget
from pyhanko_certvalidator.fetchers.requests_fetchers import RequestsFetcherBackend
from pyhanko_certvalidator.fetchers.requests_fetchers.cert_fetch_client import (
    RequestsCertificateFetcher,
)
from pyhanko_certvalidator.fetchers.requests_fetchers.crl_client import RequestsCRLFetcher
from pyhanko_certvalidator.fetchers.requests_fetchers.ocsp_client import RequestsOCSPFetcher


def url_allowed(url: str) -> bool:
    """An http(s) URL whose host resolves only to global (public) addresses."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    if settings.SIGNING_FETCH_PRIVATE_ADDRESSES:
        return True
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 80, proto=socket.IPPROTO_TCP)
    except OSError:
        return False
    addresses = {ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos}
    return bool(addresses) and all(address.is_global for address in addresses)


class _Guarded:
    def _get(self, url: str, **kwargs: Any) -> Any:
        if not url_allowed(url):
            raise requests.RequestException(f"refused to fetch {url}: not a public address")
        return super()._get(url, **kwargs)  # type: ignore[misc]

    def _post(self, url: str, data: Any, **kwargs: Any) -> Any:
        if not url_allowed(url):
            raise requests.RequestException(f"refused to fetch {url}: not a public address")
        return super()._post(url, data, **kwargs)  # type: ignore[misc]


class GuardedOCSPFetcher(_Guarded, RequestsOCSPFetcher):
    pass


class GuardedCRLFetcher(_Guarded, RequestsCRLFetcher):
    pass


class GuardedCertificateFetcher(_Guarded, RequestsCertificateFetcher):
    pass


class GuardedFetcherBackend(RequestsFetcherBackend):
    """``requests`` fetchers (nothing to close afterwards, unlike aiohttp's session under
    pyHanko's sync wrappers) that refuse private addresses."""

    def get_fetchers(self) -> Fetchers:
        timeout = self.per_request_timeout
        budget = FetchBudget(self.limits)
        return Fetchers(
            ocsp_fetcher=GuardedOCSPFetcher(per_request_timeout=timeout, budget=budget),
            crl_fetcher=GuardedCRLFetcher(per_request_timeout=timeout, budget=budget),
            cert_fetcher=GuardedCertificateFetcher(per_request_timeout=timeout, budget=budget),
        )
