"""The application's clock: the time every use case is handed (tests and the demo set `CLOCK`)."""
from __future__ import annotations

from datetime import datetime

from flask import current_app


def now() -> datetime:
    return current_app.config["CLOCK"]()
