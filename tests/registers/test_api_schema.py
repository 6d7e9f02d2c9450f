"""The OpenAPI 3 document: valid, without generator warnings, every v1 path, bearer tokens; the
Swagger UI loads its assets from this host (drf-spectacular-sidecar), never from a CDN."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import call_command
from django.urls import URLPattern
from openapi_spec_validator import validate

from registers.api.urls import v1
from tests.registers.helpers_api import api_client

pytestmark = [pytest.mark.registers]


def _expected_paths() -> set[str]:
    paths = set()
    for pattern in v1:
        assert isinstance(pattern, URLPattern)
        route = str(pattern.pattern)
        # drf-spectacular names a "pk" path parameter "id".
        route = re.sub(r"<(?:\w+:)?pk>", "{id}", route)
        route = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
        paths.add(f"/api/v1/{route}")
    return paths


@pytest.fixture(scope="module")
def schema(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """``manage.py spectacular --validate --fail-on-warn``: any warning fails the generation."""
    target: Path = tmp_path_factory.mktemp("openapi") / "schema.yaml"
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(target), stderr=io.StringIO()
    )
    loaded: dict[str, Any] = yaml.safe_load(target.read_text(encoding="utf-8"))
    return loaded


def test_schema_is_valid_openapi_3_with_every_path(schema: dict[str, Any]) -> None:
    validate(schema)  # openapi-spec-validator, independent of drf-spectacular's own check
    assert schema["openapi"].startswith("3.")
    assert _expected_paths() <= set(schema["paths"])
    assert len(_expected_paths()) == len(v1) == 18


def test_every_operation_has_an_id_tags_and_thai_and_english_text(schema: dict[str, Any]) -> None:
    ids = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            ids.append(operation["operationId"])
            assert operation.get("tags"), (path, method)
            text = operation.get("summary", "") + operation.get("description", "")
            assert any("\u0e00" <= ch <= "\u0e7f" for ch in text), (path, method)
            assert re.search(r"[A-Za-z]{4,}", operation["description"]), (path, method)
            assert {"401"} <= set(operation["responses"]), (path, method)
    assert len(ids) == len(set(ids))
    assert {"letters_list", "intake_create", "intake_register", "outgoing_number"} <= set(ids)


def test_tokens_are_a_bearer_security_scheme(schema: dict[str, Any]) -> None:
    schemes = schema["components"]["securitySchemes"]
    assert (schemes["apiToken"]["type"], schemes["apiToken"]["scheme"]) == ("http", "bearer")
    intake = schema["paths"]["/api/v1/letters/intake/"]["post"]
    assert {"apiToken": []} in intake["security"]
    assert "multipart/form-data" in intake["requestBody"]["content"]
    upload = schema["components"]["schemas"]["LetterUploadRequest"]["properties"]["files"]
    assert upload["items"]["format"] == "binary"
    register = schema["paths"]["/api/v1/letters/{id}/register/"]["post"]["responses"]
    assert register["409"]["content"]["application/json"]["schema"]["$ref"].endswith("/Error")


@pytest.mark.django_db
def test_schema_and_swagger_ui_are_served_on_the_tenant_host(alpha: Any) -> None:
    client = api_client(alpha)
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    assert "/api/v1/letters/" in response.json()["paths"]

    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn" not in html.lower() and "unpkg" not in html.lower()
    bundle = client.get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
    assert bundle.status_code == 200  # served from this host (whitenoise)
    redoc = client.get("/api/redoc/")
    assert redoc.status_code == 200
    assert "/static/drf_spectacular_sidecar/redoc/" in redoc.content.decode()
