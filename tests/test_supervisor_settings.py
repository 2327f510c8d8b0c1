import pytest

from medstock.errors import SettingsError
from medstock.settings import load_settings

NAMES = [
    "RECONCILE_INTERVAL_SECONDS",
    "HEARTBEAT_SECONDS",
    "HEARTBEAT_WINDOW_SECONDS",
    "PENDING_TIMEOUT_SECONDS",
    "FAILING_AFTER",
    "ALERT_WEBHOOK_URL",
]


@pytest.fixture(autouse=True)
def _no_dotenv(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in NAMES:
        monkeypatch.delenv(f"MEDSTOCK_{name}", raising=False)


def test_supervisor_defaults():
    settings = load_settings()

    assert (
        settings.reconcile_interval_seconds,
        settings.heartbeat_seconds,
        settings.heartbeat_window_seconds,
        settings.pending_timeout_seconds,
        settings.failing_after,
        settings.alert_webhook_url,
    ) == (15, 30, 90, 120, 3, None)


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        (
            "MEDSTOCK_RECONCILE_INTERVAL_SECONDS",
            "0",
            "MEDSTOCK_RECONCILE_INTERVAL_SECONDS='0' is below the minimum 1; use "
            "whole seconds from 1 to 3600, such as 15.",
        ),
        (
            "MEDSTOCK_HEARTBEAT_SECONDS",
            "10",
            "MEDSTOCK_HEARTBEAT_SECONDS='10' is below the minimum 30; use whole "
            "seconds from 30 (Prefect's minimum) to 3600, such as 30.",
        ),
        (
            "MEDSTOCK_HEARTBEAT_WINDOW_SECONDS",
            "30",
            "MEDSTOCK_HEARTBEAT_WINDOW_SECONDS='30' is below the minimum 31; use "
            "whole seconds longer than MEDSTOCK_HEARTBEAT_SECONDS, such as 90 for "
            "heartbeats every 30 s.",
        ),
        (
            "MEDSTOCK_PENDING_TIMEOUT_SECONDS",
            "86401",
            "MEDSTOCK_PENDING_TIMEOUT_SECONDS='86401' is above the maximum 86400; use "
            "whole seconds from 30 to 86400, such as 120.",
        ),
        (
            "MEDSTOCK_FAILING_AFTER",
            "many",
            "MEDSTOCK_FAILING_AFTER='many' is not a whole number; use a number of "
            "runs from 1 to 100, such as 3.",
        ),
        (
            "MEDSTOCK_ALERT_WEBHOOK_URL",
            "hooks.example/alerts",
            "MEDSTOCK_ALERT_WEBHOOK_URL='hooks.example/alerts' is not an http:// or "
            "https:// URL; use an http:// or https:// URL, or leave it unset to send "
            "no notifications.",
        ),
    ],
)
def test_an_invalid_supervisor_setting_names_the_variable_and_the_fix(
    monkeypatch, variable, value, message
):
    monkeypatch.setenv(variable, value)

    with pytest.raises(SettingsError) as caught:
        load_settings()

    assert str(caught.value) == message


def test_the_heartbeat_window_must_outlast_the_heartbeat(monkeypatch):
    monkeypatch.setenv("MEDSTOCK_HEARTBEAT_SECONDS", "60")
    monkeypatch.setenv("MEDSTOCK_HEARTBEAT_WINDOW_SECONDS", "60")

    with pytest.raises(SettingsError) as caught:
        load_settings()

    assert str(caught.value) == (
        "MEDSTOCK_HEARTBEAT_WINDOW_SECONDS='60' is not longer than "
        "MEDSTOCK_HEARTBEAT_SECONDS=60; use whole seconds longer than "
        "MEDSTOCK_HEARTBEAT_SECONDS, such as 90 for heartbeats every 30 s."
    )
