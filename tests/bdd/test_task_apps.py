"""features/task_apps.feature."""

from pytest_bdd import scenarios

from tests.bdd.task_app_steps import *  # noqa: F403 - the shared step definitions

scenarios("task_apps.feature")
