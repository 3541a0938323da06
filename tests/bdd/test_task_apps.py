"""features/task_apps.feature."""

import pytest
from pytest_bdd import scenarios

from tests.bdd.task_app_steps import *  # noqa: F403 - the shared step definitions
from tests.support.tunnels import reap_deployments  # noqa: F401

pytestmark = pytest.mark.usefixtures("reap_deployments")

scenarios("task_apps.feature")
