"""The agents MedStock runs: names, flows and the settings of their schedules."""

from dataclasses import dataclass

from medstock.errors import UnknownAgentError
from medstock.settings import Settings


@dataclass(frozen=True)
class Agent:
    """One agent: a Prefect flow with its own deployment and cron."""

    name: str
    entrypoint: str
    cron_setting: str
    description: str

    @property
    def deployment(self) -> str:
        """The deployment's full name, `flow/deployment`, as Prefect shows it."""
        return f"{self.name}/{self.name}"

    def cron(self, settings: Settings) -> str:
        """The agent's cron expression from the settings."""
        return str(getattr(settings, self.cron_setting))


AGENTS: dict[str, Agent] = {
    agent.name: agent
    for agent in (
        Agent(
            "stock-check",
            "flows/stock_check.py:stock_check",
            "stock_check_cron",
            "Raises purchase orders for products below their minimum",
        ),
        Agent(
            "inventory-report",
            "flows/inventory_report.py:inventory_report",
            "report_cron",
            "Stores the daily inventory metrics and publishes them as artifacts",
        ),
        Agent(
            "expiry-check",
            "flows/expiry_check.py:expiry_check",
            "expiry_cron",
            "Alerts lots that are expired or expire within the horizons",
        ),
    )
}


def get_agent(name: str) -> Agent:
    """The agent called `name`, or UnknownAgentError listing the known ones."""
    try:
        return AGENTS[name]
    except KeyError:
        known = ", ".join(sorted(AGENTS))
        raise UnknownAgentError(
            f"unknown agent {name!r}; the agents are: {known}"
        ) from None
