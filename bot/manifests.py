"""The Slack app manifest and the Microsoft Teams app package, filled in for a deployment."""

from __future__ import annotations

import io
import json
import re
import uuid
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import yaml

MANIFESTS = Path(__file__).resolve().parent.parent / "manifest"
EXAMPLE_URL = "https://leerbot.example.com"
MSTEAMS_SCHEMAS = ("1.17", "1.29")


class ManifestError(ValueError):
    """A URL or app id that cannot go into a manifest."""


def _base_url(url: str) -> str:
    parsed = urlparse(url)
    if parsed.scheme != "https" or not parsed.netloc:
        raise ManifestError(f"{url!r} is not an https URL")
    return url.rstrip("/")


def slack_manifest(url: str, *, token_rotation: bool = False,
                   org_wide: bool = False) -> dict[str, Any]:
    """The Slack manifest with every request URL pointing at ``url``; for installs through
    OAuth, optionally with token rotation (bot tokens expire after 12 hours and are refreshed)
    and org-wide deployment on Enterprise Grid."""
    base = _base_url(url)
    text = (MANIFESTS / "slack" / "manifest.yaml").read_text(encoding="utf-8")
    manifest: dict[str, Any] = yaml.safe_load(text.replace(EXAMPLE_URL, base))
    manifest["settings"]["token_rotation_enabled"] = token_rotation
    manifest["settings"]["org_deploy_enabled"] = org_wide
    return manifest


def msteams_manifest(app_id: str, url: str, schema: str = "1.29") -> dict[str, Any]:
    base = _base_url(url)
    try:
        uuid.UUID(app_id)
    except ValueError:
        raise ManifestError(f"{app_id!r} is not a Microsoft app id (a GUID)") from None
    if schema not in MSTEAMS_SCHEMAS:
        raise ManifestError(f"schema {schema} is not one of {', '.join(MSTEAMS_SCHEMAS)}")
    template = (MANIFESTS / "msteams" / "manifest.json").read_text(encoding="utf-8")
    filled = (template.replace("{{SCHEMA}}", schema).replace("{{APP_ID}}", app_id)
              .replace("{{URL}}", base).replace("{{DOMAIN}}", urlparse(base).netloc))
    if re.search(r"\{\{[A-Z_]+\}\}", filled):
        raise ManifestError("the Microsoft Teams manifest template has an unknown placeholder")
    return json.loads(filled)


def msteams_package(app_id: str, url: str, schema: str = "1.29") -> bytes:
    """The installable zip: manifest.json plus the colour and outline icons."""
    manifest = msteams_manifest(app_id, url, schema)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
        for icon in ("color.png", "outline.png"):
            archive.write(MANIFESTS / "msteams" / icon, icon)
    return buffer.getvalue()
