"""The Slack manifest and Microsoft Teams app package validate against the official schemas."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import jsonschema
import pytest
import yaml
from PIL import Image

from bot.cli import main
from bot.manifests import ManifestError, msteams_manifest, msteams_package, slack_manifest

APP_ID = "11111111-2222-3333-4444-555555555555"


def schema(shared: Path, name: str) -> jsonschema.protocols.Validator:
    document = json.loads((shared / "reference" / "schemas" / name).read_text(encoding="utf-8"))
    return jsonschema.validators.validator_for(document)(document)


def test_slack_manifest(shared: Path) -> None:
    manifest = slack_manifest("https://bot.acme.nl/")
    errors = list(schema(shared, "slack-manifest-v1.schema.json").iter_errors(manifest))
    assert errors == []
    assert manifest["settings"]["event_subscriptions"]["request_url"] == \
        "https://bot.acme.nl/slack/events"
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == {
        "app_mention", "message.im", "app_home_opened", "member_joined_channel"}
    assert "example.com" not in json.dumps(manifest)
    assert not manifest["settings"]["token_rotation_enabled"]


def test_slack_manifest_for_large_customers(shared: Path) -> None:
    manifest = slack_manifest("https://bot.acme.nl", token_rotation=True, org_wide=True)
    assert list(schema(shared, "slack-manifest-v1.schema.json").iter_errors(manifest)) == []
    assert manifest["settings"]["token_rotation_enabled"] is True
    assert manifest["settings"]["org_deploy_enabled"] is True


@pytest.mark.parametrize("version", ["1.17", "1.29"])
def test_msteams_manifest(shared: Path, version: str) -> None:
    manifest = msteams_manifest(APP_ID, "https://bot.acme.nl", version)
    errors = list(schema(shared, f"teams-manifest-v{version}.schema.json").iter_errors(manifest))
    assert errors == []
    assert manifest["bots"][0]["botId"] == APP_ID
    assert manifest["validDomains"] == ["bot.acme.nl"]


def test_msteams_package_has_the_icons_in_the_right_sizes() -> None:
    archive = zipfile.ZipFile(io.BytesIO(msteams_package(APP_ID, "https://bot.acme.nl")))
    assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
    color = Image.open(io.BytesIO(archive.read("color.png")))
    outline = Image.open(io.BytesIO(archive.read("outline.png")))
    assert color.size == (192, 192) and outline.size == (32, 32)
    assert outline.mode == "RGBA" and outline.getpixel((0, 0))[3] == 0  # transparent


@pytest.mark.parametrize(("app_id", "url"), [("not-a-guid", "https://a.nl"),
                                             (APP_ID, "http://insecure.nl"), (APP_ID, "nonsense")])
def test_bad_input_is_refused(app_id: str, url: str) -> None:
    with pytest.raises(ManifestError):
        msteams_manifest(app_id, url)


def test_cli_writes_the_slack_manifest(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["manifest", "slack", "--url", "https://bot.acme.nl"]) == 0
    assert yaml.safe_load(capsys.readouterr().out)["display_information"]["name"] == "Leerbot"


@pytest.mark.parametrize("platform", ["teams", "msteams"])
def test_cli_writes_the_msteams_package(platform: str, tmp_path: Path) -> None:
    target = tmp_path / "app.zip"
    assert main(["manifest", platform, "--url", "https://bot.acme.nl", "--app-id", APP_ID,
                 "--output", str(target)]) == 0
    assert zipfile.is_zipfile(target)
    assert main(["manifest", platform, "--url", "https://bot.acme.nl"]) == 1
