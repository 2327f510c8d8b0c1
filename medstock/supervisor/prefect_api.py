"""Reading the agents' deployments from the Prefect API."""

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from uuid import UUID

import httpx
from prefect import get_client
from prefect.client.orchestration import SyncPrefectClient
from prefect.client.schemas.filters import (
    DeploymentFilter,
    DeploymentFilterId,
    FlowRunFilter,
    FlowRunFilterExpectedStartTime,
    FlowRunFilterState,
    FlowRunFilterStateType,
)
from prefect.client.schemas.objects import FlowRun, StateType
from prefect.client.schemas.responses import DeploymentResponse
from prefect.exceptions import ObjectNotFound
from prefect.settings import (
    PREFECT_API_URL,
    PREFECT_CLIENT_MAX_RETRIES,
    temporary_settings,
)

from medstock.agents import Agent
from medstock.errors import AgentNotDeployedError, PrefectUnavailableError

logger = logging.getLogger(__name__)

# A quick look only: the client's own 60 s timeout and five retries would hold a
# command up for minutes when the server is down.
HEALTH_CHECK_TIMEOUT_SECONDS = 2.0


@contextmanager
def demo_server_unless_configured(port: int) -> Iterator[None]:
    """Talk to the demo's Prefect server on `port` when no PREFECT_API_URL is set.

    Without it a Prefect client starts a throwaway server of its own, which knows
    none of the agents' deployments.
    """
    if PREFECT_API_URL.value():
        yield
        return
    with temporary_settings(updates={PREFECT_API_URL: f"http://127.0.0.1:{port}/api"}):
        yield


@contextmanager
def prefect_client() -> Iterator[SyncPrefectClient]:
    """A sync Prefect client; PrefectUnavailableError when the API is unreachable."""
    # A server that accepts connections but never answers would otherwise hold
    # the caller for the client's timeouts and retries, minutes in all.
    if not api_answers():
        raise PrefectUnavailableError(
            f"the Prefect API at {PREFECT_API_URL.value()!r} did not answer within "
            f"{HEALTH_CHECK_TIMEOUT_SECONDS:.0f} s; start it (`make demo` does) or "
            "set PREFECT_API_URL"
        )
    try:
        with get_client(sync_client=True) as client:
            yield client
    except httpx.TransportError as exc:
        raise PrefectUnavailableError(
            f"the Prefect API at {PREFECT_API_URL.value()!r} did not answer ({exc}); "
            "start it (`make demo` does) or set PREFECT_API_URL"
        ) from None


def api_answers() -> bool:
    """True when the Prefect API answers its /health check within 2 s."""
    quick = {"timeout": HEALTH_CHECK_TIMEOUT_SECONDS}
    with (
        temporary_settings(updates={PREFECT_CLIENT_MAX_RETRIES: 0}),
        get_client(sync_client=True, httpx_settings=quick) as client,
    ):
        error = client.api_healthcheck()
    if error is not None:
        logger.debug("Prefect API health check failed: %r", error)
    return error is None


def find_deployment(
    client: SyncPrefectClient, agent: Agent
) -> DeploymentResponse | None:
    """The agent's deployment, or None when the server does not have it."""
    return find_deployment_named(client, agent.deployment)


def find_deployment_named(
    client: SyncPrefectClient, name: str
) -> DeploymentResponse | None:
    """The deployment `flow/deployment`, or None when the server does not have it."""
    try:
        return client.read_deployment_by_name(name)
    except ObjectNotFound:
        return None


def read_deployment(client: SyncPrefectClient, agent: Agent) -> DeploymentResponse:
    """The agent's deployment, or AgentNotDeployedError saying how to deploy it."""
    deployment = find_deployment(client, agent)
    if deployment is None:
        raise AgentNotDeployedError(
            f"agent {agent.name!r} has no deployment {agent.deployment!r} on the "
            f"Prefect server at {PREFECT_API_URL.value()!r}; start `medstock serve` "
            "or run `prefect deploy --all`"
        )
    return deployment


def is_scheduled(deployment: DeploymentResponse) -> bool:
    """True when the deployment is not paused and has an active schedule."""
    return not deployment.paused and any(s.active for s in deployment.schedules)


def scheduled_runs(
    client: SyncPrefectClient,
    deployment_ids: Sequence[UUID],
    *,
    due_before: datetime | None = None,
) -> list[FlowRun]:
    """The deployments' runs still Scheduled or Late, due before a time if given."""
    due = (
        FlowRunFilterExpectedStartTime(before_=due_before)
        if due_before is not None
        else None
    )
    return client.read_flow_runs(
        deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=deployment_ids)),
        flow_run_filter=FlowRunFilter(
            state=FlowRunFilterState(
                type=FlowRunFilterStateType(any_=[StateType.SCHEDULED])
            ),
            expected_start_time=due,
        ),
    )
