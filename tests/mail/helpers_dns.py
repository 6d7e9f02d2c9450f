"""A real authoritative DNS server for the tests: BIND's named on a free port, our zones in it."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dns.exception
import dns.message
import dns.query
import dns.rdatatype
import dns.resolver

from tests.registers.helpers_browser import free_port

NAMED = shutil.which("named") or "/usr/sbin/named"
CHECKZONE = shutil.which("named-checkzone") or "/usr/bin/named-checkzone"


class AuthoritativeServer:
    """named serving the given zones; ``serve`` restarts it with new zone contents."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def serve(self, zones: dict[str, str]) -> None:
        self.stop()
        zone_blocks = []
        for origin, text in zones.items():
            path = self.workdir / f"{origin}.zone"
            path.write_text(text, encoding="utf-8")
            zone_blocks.append(f'zone "{origin}" {{ type primary; file "{path}"; }};')
        conf = self.workdir / "named.conf"
        conf.write_text(
            "options {\n"
            f'  directory "{self.workdir}";\n'
            f"  listen-on port {self.port} {{ 127.0.0.1; }};\n"
            "  listen-on-v6 { none; };\n"
            f'  pid-file "{self.workdir}/named.pid";\n'
            "  recursion no;\n"
            "  dnssec-validation no;\n"
            "};\n"
            "controls { };\n" + "\n".join(zone_blocks) + "\n",
            encoding="utf-8",
        )
        log = (self.workdir / "named.log").open("ab")
        self.process = subprocess.Popen(
            [NAMED, "-g", "-c", str(conf)], stdout=log, stderr=subprocess.STDOUT
        )
        origin = next(iter(zones))
        deadline = time.monotonic() + 20
        request = dns.message.make_query(origin, dns.rdatatype.SOA)
        while True:
            try:
                response = dns.query.udp(request, "127.0.0.1", port=self.port, timeout=0.5)
                if response.answer:
                    return
            except (dns.exception.DNSException, OSError):
                pass  # not listening yet
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    "named did not start: " + (self.workdir / "named.log").read_text()[-2000:]
                )
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
            self.process = None

    def resolver(self) -> dns.resolver.Resolver:
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = ["127.0.0.1"]
        resolver.port = self.port
        return resolver


@contextmanager
def authoritative_dns() -> Iterator[AuthoritativeServer]:
    with tempfile.TemporaryDirectory(prefix="named-") as tmp:
        server = AuthoritativeServer(Path(tmp))
        try:
            yield server
        finally:
            server.stop()


def named_checkzone(origin: str, zone_text: str) -> subprocess.CompletedProcess[str]:
    with tempfile.NamedTemporaryFile("w", suffix=".zone", delete=False) as handle:
        handle.write(zone_text)
    try:
        return subprocess.run(
            [CHECKZONE, "-k", "fail", "-i", "local", origin, handle.name],
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        Path(handle.name).unlink()
