import pytest

from medstock.errors import SettingsError
from medstock.settings import load_settings


@pytest.fixture(autouse=True)
def _no_dotenv(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("DATABASE_URL", "STOCK_CHECK_CRON", "REPORT_CRON", "TIMEZONE"):
        monkeypatch.delenv(f"MEDSTOCK_{name}", raising=False)
    monkeypatch.delenv("MEDSTOCK_RETRY_DELAYS", raising=False)


def test_defaults_are_the_demo_schedule_and_source_retries():
    settings = load_settings()

    assert settings.database_url == "sqlite:///./data/medstock.db"
    assert settings.stock_check_cron == "*/1 * * * *"
    assert settings.report_cron == "*/2 * * * *"
    assert settings.timezone == "UTC"
    assert settings.retry_delays == [5, 10, 20]
    assert settings.expiry_horizons == [30, 60, 90]


def test_values_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("MEDSTOCK_STOCK_CHECK_CRON", "*/5 * * * *")
    monkeypatch.setenv("MEDSTOCK_RETRY_DELAYS", "1, 2")
    monkeypatch.setenv("MEDSTOCK_TIMEZONE", "Europe/Madrid")

    settings = load_settings()

    assert settings.stock_check_cron == "*/5 * * * *"
    assert settings.retry_delays == [1, 2]
    assert settings.timezone == "Europe/Madrid"


def test_values_come_from_a_dotenv_file(tmp_path):
    (tmp_path / ".env").write_text("MEDSTOCK_REPORT_CRON=0 6 * * *\n")

    assert load_settings().report_cron == "0 6 * * *"


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        (
            "MEDSTOCK_STOCK_CHECK_CRON",
            "*/0 * * * *",
            "MEDSTOCK_STOCK_CHECK_CRON='*/0 * * * *' is not a valid cron expression "
            "(bad minute); use five fields such as '*/5 * * * *'.",
        ),
        (
            "MEDSTOCK_REPORT_CRON",
            "0 */2 * * * *",
            "MEDSTOCK_REPORT_CRON='0 */2 * * * *' is not a valid cron expression "
            "(6 fields, not 5); use five fields such as '0 6 * * *'.",
        ),
        (
            "MEDSTOCK_REPORT_CRON",
            "daily",
            "MEDSTOCK_REPORT_CRON='daily' is not a valid cron expression "
            "(1 field, not 5); use five fields such as '0 6 * * *'.",
        ),
        (
            "MEDSTOCK_TIMEZONE",
            "Mars/Olympus",
            "MEDSTOCK_TIMEZONE='Mars/Olympus' is not a known timezone; use an IANA "
            "name such as 'UTC' or 'Europe/Madrid'.",
        ),
        (
            "MEDSTOCK_RETRY_DELAYS",
            "5,-10,20",
            "MEDSTOCK_RETRY_DELAYS='5,-10,20' has a negative delay; use whole "
            "seconds from 0 to 3600, separated by commas, such as '5,10,20'.",
        ),
        (
            "MEDSTOCK_RETRY_DELAYS",
            "five",
            "MEDSTOCK_RETRY_DELAYS='five' is not a list of whole numbers; use whole "
            "seconds from 0 to 3600, separated by commas, such as '5,10,20'.",
        ),
        (
            "MEDSTOCK_STOCK_CHECK_CRON",
            "0 0 * * 5L",
            "MEDSTOCK_STOCK_CHECK_CRON='0 0 * * 5L' is a cron expression that "
            "Prefect cannot schedule; use five fields such as '*/5 * * * *'.",
        ),
        (
            "MEDSTOCK_TIMEZONE",
            "posixrules",
            "MEDSTOCK_TIMEZONE='posixrules' is not a timezone Prefect can schedule "
            "in; use an IANA name such as 'UTC' or 'Europe/Madrid'.",
        ),
        (
            "MEDSTOCK_RETRY_DELAYS",
            "5,10,99999999999999999999",
            "MEDSTOCK_RETRY_DELAYS='5,10,99999999999999999999' has a delay above "
            "3600 s; use whole seconds from 0 to 3600, separated by commas, such as "
            "'5,10,20'.",
        ),
        (
            "MEDSTOCK_EXPIRY_HORIZONS",
            "30,3000000",
            "MEDSTOCK_EXPIRY_HORIZONS='30,3000000' has a horizon above 3650 days; "
            "use whole days from 1 to 3650, separated by commas, such as "
            "'30,60,90'.",
        ),
        (
            "MEDSTOCK_PREFECT_PORT",
            "0",
            "MEDSTOCK_PREFECT_PORT='0' is not a TCP port; use a free TCP port from 1 "
            "to 65535.",
        ),
        (
            "MEDSTOCK_DATABASE_URL",
            "postgresql+psycopg2://postgres@127.0.0.1/medstock",
            "MEDSTOCK_DATABASE_URL='postgresql+psycopg2://postgres@127.0.0.1/"
            "medstock' names the driver 'postgresql+psycopg2', not installed; use a "
            "SQLAlchemy URL such as 'sqlite:///./data/medstock.db' or "
            "'postgresql+psycopg://user@127.0.0.1:5432/medstock'.",
        ),
        (
            "MEDSTOCK_DATABASE_URL",
            "medstock.db",
            "MEDSTOCK_DATABASE_URL='medstock.db' is not a database URL; use a "
            "SQLAlchemy URL such as 'sqlite:///./data/medstock.db' or "
            "'postgresql+psycopg://user@127.0.0.1:5432/medstock'.",
        ),
        (
            "MEDSTOCK_DATABASE_URL",
            "mysql://root@127.0.0.1/medstock",
            "MEDSTOCK_DATABASE_URL='mysql://root@127.0.0.1/medstock' names the "
            "unsupported backend 'mysql'; use a SQLAlchemy URL such as "
            "'sqlite:///./data/medstock.db' or "
            "'postgresql+psycopg://user@127.0.0.1:5432/medstock'.",
        ),
    ],
)
def test_an_invalid_value_names_the_variable_the_value_and_the_fix(
    monkeypatch, variable, value, message
):
    monkeypatch.setenv(variable, value)

    with pytest.raises(SettingsError) as caught:
        load_settings()

    assert str(caught.value) == message


def test_a_plain_postgresql_url_uses_the_installed_driver(monkeypatch):
    monkeypatch.setenv("MEDSTOCK_DATABASE_URL", "postgresql://u:pw@127.0.0.1/ms")

    assert load_settings().database_url == "postgresql+psycopg://u:pw@127.0.0.1/ms"


def test_a_misspelt_variable_is_named_with_the_likely_one(monkeypatch):
    monkeypatch.setenv("MEDSTOCK_STOKC_CHECK_CRON", "*/5 * * * *")

    with pytest.raises(SettingsError) as caught:
        load_settings()

    assert str(caught.value) == (
        "MEDSTOCK_STOKC_CHECK_CRON is not a MedStock setting; did you mean "
        "MEDSTOCK_STOCK_CHECK_CRON?"
    )


def test_every_invalid_value_is_reported_at_once(monkeypatch):
    monkeypatch.setenv("MEDSTOCK_STOCK_CHECK_CRON", "61 * * * *")
    monkeypatch.setenv("MEDSTOCK_TIMEZONE", "Nowhere")

    with pytest.raises(SettingsError) as caught:
        load_settings()

    assert str(caught.value).splitlines() == [
        "MEDSTOCK_STOCK_CHECK_CRON='61 * * * *' is not a valid cron expression "
        "(bad minute); use five fields such as '*/5 * * * *'.",
        "MEDSTOCK_TIMEZONE='Nowhere' is not a known timezone; use an IANA name "
        "such as 'UTC' or 'Europe/Madrid'.",
    ]
