"""The pull step of prefect.yaml: each flow run starts in the project folder."""

import logging
import os
from pathlib import Path

from medstock.errors import ProjectDirError

logger = logging.getLogger(__name__)

PROJECT_DIR_ENV = "MEDSTOCK_PROJECT_DIR"


def enter_project_dir() -> dict[str, str]:
    """Change into $MEDSTOCK_PROJECT_DIR, which holds flows/; return the folder."""
    # Read on the worker's host at run time, so each host may keep its own
    # checkout path; `prefect deploy` stores only this step's name.
    folder = os.environ.get(PROJECT_DIR_ENV)
    if not folder:
        raise ProjectDirError(
            f"{PROJECT_DIR_ENV} is not set in this worker's environment; set it "
            "to the folder that holds prefect.yaml and flows/ on this host, such "
            "as /opt/medstock, and restart the worker"
        )
    if not (Path(folder) / "flows").is_dir():
        raise ProjectDirError(
            f"{PROJECT_DIR_ENV}={folder!r} has no flows/ folder; point it at the "
            "MedStock project folder on this host"
        )
    os.chdir(folder)
    logger.info("flow run working in %s", folder)
    return {"directory": folder}
