"""The speaking timer: set, start, pause and run out, on the server's clock."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Any, Mapping

from deliberation.errors import Conflict, DomainError

MAX_TIMER_SECONDS = 24 * 60 * 60


class TimerState(Enum):
    IDLE = "idle"
    RUNNING = "running"
    PAUSED = "paused"


@dataclass(frozen=True)
class Timer:
    """A speaking timer that survives restarts: it stores when it (virtually) started, never a count.

    idle: neither started_at nor paused_remaining; running: started_at set, and remaining is
    duration_s minus the time since; paused: paused_remaining holds what was left. Resuming sets
    started_at back so that duration_s - elapsed equals what was left when paused.
    """

    started_at: datetime | None = None
    duration_s: int = 120
    paused_remaining: float | None = None

    def __post_init__(self) -> None:
        if not 0 < self.duration_s <= MAX_TIMER_SECONDS:
            raise DomainError(
                "invalid_duration",
                f"A speaking time is between 1 second and {MAX_TIMER_SECONDS // 3600} hours.",
                duration_s=self.duration_s,
            )
        if self.started_at is not None and self.paused_remaining is not None:
            raise DomainError("invalid_timer", "A timer cannot be running and paused at once.")

    @property
    def state(self) -> TimerState:
        if self.paused_remaining is not None:
            return TimerState.PAUSED
        if self.started_at is not None:
            return TimerState.RUNNING
        return TimerState.IDLE

    def remaining(self, now: datetime) -> float:
        """Seconds left, never below zero."""
        if self.paused_remaining is not None:
            return self.paused_remaining
        if self.started_at is None:
            return float(self.duration_s)
        # A clock that steps backwards must not hand out extra time.
        elapsed = max((now - self.started_at).total_seconds(), 0.0)
        return max(self.duration_s - elapsed, 0.0)

    def is_expired(self, now: datetime) -> bool:
        return self.state is TimerState.RUNNING and self.remaining(now) == 0.0

    def start(self, now: datetime) -> Timer:
        """Start a fresh full turn, whatever the timer was doing."""
        return Timer(started_at=now, duration_s=self.duration_s)

    def pause(self, now: datetime) -> Timer:
        if self.state is not TimerState.RUNNING:
            raise Conflict("timer_not_running", "The timer is not running, so it cannot be paused.")
        return Timer(duration_s=self.duration_s, paused_remaining=self.remaining(now))

    def resume(self, now: datetime) -> Timer:
        if self.state is not TimerState.PAUSED:
            raise Conflict("timer_not_paused", "The timer is not paused, so there is nothing to resume.")
        assert self.paused_remaining is not None
        spent = self.duration_s - self.paused_remaining
        return Timer(started_at=now - timedelta(seconds=spent), duration_s=self.duration_s)

    def reset(self, duration_s: int | None = None) -> Timer:
        return Timer(duration_s=self.duration_s if duration_s is None else duration_s)

    def to_dict(self) -> dict[str, Any]:
        return {
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "duration_s": self.duration_s,
            "paused_remaining": self.paused_remaining,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Timer:
        started = data.get("started_at")
        paused = data.get("paused_remaining")
        return cls(
            started_at=datetime.fromisoformat(started) if started else None,
            duration_s=int(data["duration_s"]),
            paused_remaining=float(paused) if paused is not None else None,
        )
