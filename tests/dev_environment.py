"""Loaded first by pytest (`-p tests.dev_environment` in pyproject's addopts), before Django reads its
settings: the test run is development (the committed demo keys, plain HTTP), whatever DATABASE_URL says.
Production is the settings' default (MEDINSURE_DEV=0); subprocesses the tests start inherit this."""

import os

os.environ.setdefault("MEDINSURE_DEV", "1")
