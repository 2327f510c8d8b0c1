"""Serve the stock check every few seconds, for tests that need many cron ticks.

Cron cannot tick faster than once a minute; an interval schedule with the same
slug, concurrency limit and hooks stands in for it.
"""

import sys
from datetime import timedelta
from typing import cast

from prefect.client.schemas.objects import ConcurrencyLimitConfig
from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Interval

from deployments.serve import schedule_slug, serve_agents
from flows.stock_check import stock_check

if __name__ == "__main__":
    seconds = int(sys.argv[1])
    deployment = cast(
        RunnerDeployment,
        stock_check.to_deployment(
            name="stock-check",
            schedules=[
                Interval(timedelta(seconds=seconds), slug=schedule_slug("stock-check"))
            ],
            concurrency_limit=ConcurrencyLimitConfig(
                limit=1, collision_strategy="CANCEL_NEW"
            ),
            tags=["medstock"],
        ),
    )
    serve_agents([deployment])
