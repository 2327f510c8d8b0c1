"""A scheduled run that starts while its agent is paused does nothing."""

from uuid import UUID

from prefect import get_client
from prefect.client.schemas.responses import DeploymentResponse
from prefect.runtime import deployment, flow_run
from prefect.states import Completed, State

from medstock.supervisor.prefect_api import is_scheduled
from medstock.supervisor.states import PAUSED_SKIP_MESSAGE


def skips_run(*, auto_scheduled: bool, deployment: DeploymentResponse) -> bool:
    """True for a scheduled run of a deployment that is paused or has no schedule on."""
    # Run-now on a paused agent is the operator's explicit wish: it runs.
    return auto_scheduled and not is_scheduled(deployment)


def started_while_paused() -> bool:
    """Whether this run is a scheduled one and its deployment is paused right now.

    A pause deletes the deployment's scheduled runs, but not one a runner or worker
    has already fetched, nor one that a scheduler pass under way adds just after:
    those still start, and must raise no orders or alerts.
    """
    run_id, deployment_id = flow_run.get_id(), deployment.get_id()
    if run_id is None or deployment_id is None:
        return False
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(UUID(run_id))
        current = client.read_deployment(UUID(deployment_id))
    return skips_run(auto_scheduled=run.auto_scheduled, deployment=current)


def paused_skip() -> State:
    """The state a run ends in when it started while its agent was paused."""
    # Completed, not Cancelled: Prefect calls no state hook for a Cancelled state
    # that a flow returns, and the run did what a paused agent should.
    return Completed(name="Skipped", message=PAUSED_SKIP_MESSAGE)
