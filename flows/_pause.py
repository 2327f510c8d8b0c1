"""The agents' first step: a scheduled run of a paused agent ends at once."""

from prefect import get_run_logger, task
from prefect.runtime import flow_run

from flows._retries import io_task_options
from medstock.supervisor.hooks import TASK_HOOKS
from medstock.supervisor.pause_guard import started_while_paused


@task(name="check-agent-paused", **io_task_options(), **TASK_HOOKS)
def check_agent_paused() -> bool:
    """Whether this run is a scheduled one that started while its agent is paused."""
    if not started_while_paused():
        return False
    get_run_logger().info(
        "agent %s is paused: scheduled run %s does nothing",
        flow_run.get_flow_name(),
        flow_run.get_id(),
    )
    return True
