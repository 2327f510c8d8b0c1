"""How a Prefect flow-run state reads as a task_logs status and message."""

from prefect.client.schemas.objects import State, StateType

from models import RunStatus

STATUS_OF_STATE = {
    StateType.RUNNING: RunStatus.RUNNING,
    StateType.COMPLETED: RunStatus.SUCCESS,
    StateType.FAILED: RunStatus.ERROR,
    StateType.CRASHED: RunStatus.CRASHED,
    StateType.CANCELLED: RunStatus.CANCELLED,
    StateType.CANCELLING: RunStatus.CANCELLED,
}

# The message Prefect's CANCEL_NEW rule gives a run it refuses to start because
# another run of the same deployment is still going.
CONCURRENCY_SKIP_MESSAGE = "Deployment concurrency limit reached."
# The message of the Completed state named Skipped that a scheduled run ends in
# when it starts while its agent is paused.
PAUSED_SKIP_MESSAGE = "agent paused: the scheduled run did nothing"
# Prefect's prefix for a failed flow's exception; the mirror keeps only the error.
FAILED_PREFIX = "Flow run encountered an exception: "


def run_status(state: State) -> RunStatus | None:
    """The status a state is recorded as, or None for states the mirror skips."""
    if state.type == StateType.SCHEDULED:
        return RunStatus.LATE if state.name == "Late" else RunStatus.SCHEDULED
    if state.type == StateType.CANCELLED and state.message == CONCURRENCY_SKIP_MESSAGE:
        return RunStatus.SKIPPED
    if state.type == StateType.COMPLETED and state.message == PAUSED_SKIP_MESSAGE:
        return RunStatus.SKIPPED
    return STATUS_OF_STATE.get(state.type)


def state_message(state: State) -> str:
    """The first line of the state's own message, without Prefect's prefixes."""
    lines = (state.message or "").strip().splitlines()
    if not lines:
        return state.name or str(state.type.value)
    return lines[0].removeprefix(FAILED_PREFIX)
