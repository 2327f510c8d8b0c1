"""The pull step of prefect.yaml puts each flow run in the project folder."""

import os
from pathlib import Path

import pytest
import yaml

from deployments.pull import enter_project_dir
from medstock.errors import ProjectDirError

ROOT = Path(__file__).resolve().parents[1]


def test_prefect_yaml_pulls_with_the_project_dir_step():
    pull = yaml.safe_load((ROOT / "prefect.yaml").read_text())["pull"]

    assert pull == [{"deployments.pull.enter_project_dir": {}}]


def test_the_step_enters_the_folder_the_worker_names(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MEDSTOCK_PROJECT_DIR", str(ROOT))

    result = enter_project_dir()

    assert (result, Path.cwd()) == ({"directory": str(ROOT)}, ROOT)


def test_a_worker_without_the_project_dir_is_told_what_to_set(monkeypatch):
    monkeypatch.delenv("MEDSTOCK_PROJECT_DIR", raising=False)

    with pytest.raises(ProjectDirError) as error:
        enter_project_dir()

    assert str(error.value) == (
        "MEDSTOCK_PROJECT_DIR is not set in this worker's environment; set it to "
        "the folder that holds prefect.yaml and flows/ on this host, such as "
        "/opt/medstock, and restart the worker"
    )


def test_a_project_dir_without_flows_is_refused(monkeypatch, tmp_path):
    monkeypatch.setenv("MEDSTOCK_PROJECT_DIR", str(tmp_path))
    before = os.getcwd()

    with pytest.raises(ProjectDirError) as error:
        enter_project_dir()

    assert str(error.value) == (
        f"MEDSTOCK_PROJECT_DIR={str(tmp_path)!r} has no flows/ folder; point it at "
        "the MedStock project folder on this host"
    )
    assert os.getcwd() == before
