"""prefect.yaml declares the same deployments the demo serves."""

from pathlib import Path

import yaml

from deployments.serve import schedule_slug
from medstock.agents import AGENTS
from medstock.settings import Settings

PREFECT_YAML = Path(__file__).resolve().parents[1] / "prefect.yaml"


def test_prefect_yaml_has_one_deployment_per_agent_with_the_default_cron():
    declared = yaml.safe_load(PREFECT_YAML.read_text())["deployments"]
    defaults = Settings.model_construct()

    summary = {
        d["name"]: (
            d["entrypoint"],
            d["schedules"][0]["cron"],
            d["schedules"][0]["timezone"],
            d["schedules"][0]["slug"],
            d["concurrency_limit"]["limit"],
            d["work_pool"]["name"],
        )
        for d in declared
    }
    assert summary == {
        name: (
            agent.entrypoint,
            agent.cron(defaults),
            defaults.timezone,
            schedule_slug(name),
            1,
            "medstock-process",
        )
        for name, agent in AGENTS.items()
    }


def test_no_schedule_in_prefect_yaml_sets_active():
    # `active:` would re-activate a schedule paused in the UI on every deploy.
    declared = yaml.safe_load(PREFECT_YAML.read_text())["deployments"]

    assert all("active" not in s for d in declared for s in d["schedules"])
