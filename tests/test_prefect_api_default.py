"""The CLI talks to the demo's Prefect server unless PREFECT_API_URL says otherwise."""

from prefect.settings import PREFECT_API_URL, temporary_settings

from medstock.supervisor.prefect_api import demo_server_unless_configured


def test_without_an_api_url_the_demo_server_is_used():
    with temporary_settings(restore_defaults={PREFECT_API_URL}):
        with demo_server_unless_configured(4371):
            inside = PREFECT_API_URL.value()
        after = PREFECT_API_URL.value()

    assert (inside, after) == ("http://127.0.0.1:4371/api", None)


def test_a_configured_api_url_is_kept():
    configured = {PREFECT_API_URL: "http://127.0.0.1:9/api"}
    with (
        temporary_settings(updates=configured),
        demo_server_unless_configured(4371),
    ):
        inside = PREFECT_API_URL.value()

    assert inside == "http://127.0.0.1:9/api"
