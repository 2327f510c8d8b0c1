"""The Prefect automation that marks an agent run Crashed when its heartbeats stop.

A self-hosted Prefect server has no reaper of its own: a run whose process died
without its runner noticing stays Running until something changes its state.
"""

import logging
from datetime import timedelta

from prefect.client.orchestration import SyncPrefectClient
from prefect.client.schemas.objects import StateType
from prefect.events.actions import ChangeFlowRunState
from prefect.events.schemas.automations import AutomationCore, EventTrigger, Posture
from prefect.events.schemas.events import ResourceSpecification

from medstock.agents import AGENTS

logger = logging.getLogger(__name__)

AUTOMATION_NAME = "medstock-crash-runs-without-heartbeat"


def crash_message(window_seconds: int) -> str:
    """The state message of a run the automation marks Crashed."""
    return f"no heartbeat for {window_seconds} s: the run's process is gone"


def stuck_run_automation(window_seconds: int) -> AutomationCore:
    """Crash an agent's run when no flow-run event follows a heartbeat in time."""
    return AutomationCore(
        name=AUTOMATION_NAME,
        description="Marks MedStock agent runs Crashed when their heartbeats stop.",
        trigger=EventTrigger(
            posture=Posture.Proactive,
            after={"prefect.flow-run.heartbeat"},
            # Any later event of the run (a heartbeat or a state change) proves it
            # alive or finished; only silence fires the trigger.
            expect={"prefect.flow-run.*"},
            match=ResourceSpecification({"prefect.resource.id": "prefect.flow-run.*"}),
            match_related=ResourceSpecification(
                {"prefect.resource.role": "flow", "prefect.resource.name": list(AGENTS)}
            ),
            for_each={"prefect.resource.id"},
            threshold=1,
            within=timedelta(seconds=window_seconds),
        ),
        actions=[
            ChangeFlowRunState(
                state=StateType.CRASHED,
                name="Crashed",
                message=crash_message(window_seconds),
            )
        ],
    )


def ensure_stuck_run_automation(
    client: SyncPrefectClient, *, window_seconds: int
) -> str:
    """Create the automation, or bring the existing one up to date; its id."""
    wanted = stuck_run_automation(window_seconds)
    existing = client.read_automations_by_name(AUTOMATION_NAME)
    if not existing:
        automation_id = client.create_automation(wanted)
        logger.info(
            "created automation %s (%d s window)", automation_id, window_seconds
        )
        return str(automation_id)

    first, *duplicates = existing
    for duplicate in duplicates:
        client.delete_automation(duplicate.id)
    current = AutomationCore.model_validate(first.model_dump(exclude={"id"}))
    if current.model_dump(mode="json") != wanted.model_dump(mode="json"):
        client.update_automation(first.id, wanted)
        logger.info("updated automation %s (%d s window)", first.id, window_seconds)
    return str(first.id)
