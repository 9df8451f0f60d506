"""Call recordings: small, valid WAV files named as the PBX names them.

A recorded call leaves ``YYYYMMDDhhmmss-<callid>-<from>-<to>-<Type>.wav`` (the time is when the
call was answered, in the PBX's zone). The simulator has no audio, so the file holds a quiet
440 Hz tone as long as the conversation, capped at :data:`MAX_SECONDS` so files stay small:
8 kHz, 16-bit, mono PCM, the format PBX recordings use. Files live in the state store under
``calls.recording/<name>``, so they survive a restart with the rest of the PBX's state.
"""

from __future__ import annotations

import functools
import io
import math
import struct
import wave
from datetime import timezone

from yspbx.pbx.timefmt import local_datetime
from yspbx.store.base import StateStore

PREFIX = "calls.recording/"
RATE = 8000
MAX_SECONDS = 3.0
MIN_SECONDS = 0.5
_AMPLITUDE = 3000


def recording_name(
    answered_at: float, zone: timezone, callid: str, callfrom: str, callto: str, kind: str
) -> str:
    stamp = local_datetime(answered_at, zone).strftime("%Y%m%d%H%M%S")
    return f"{stamp}-{callid}-{callfrom}-{callto}-{kind}.wav"


def tone_wav(seconds: float) -> bytes:
    """A mono 16-bit 8 kHz WAV of a 440 Hz tone lasting ``seconds`` (within the caps)."""
    length = min(MAX_SECONDS, max(MIN_SECONDS, seconds))
    return _tone(int(RATE * length))


@functools.lru_cache(maxsize=64)
def _tone(frames: int) -> bytes:
    """The file for ``frames`` samples: one per length, made once (a day of recorded calls
    would otherwise compute millions of samples, the same ones each time)."""
    step = 2 * math.pi * 440 / RATE
    samples = struct.pack(
        f"<{frames}h", *(int(_AMPLITUDE * math.sin(step * i)) for i in range(frames))
    )
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(samples)
    return buffer.getvalue()


class Recordings:
    def __init__(self, state: StateStore) -> None:
        self._state = state

    async def save(self, name: str, talk_seconds: float) -> None:
        await self._state.put(PREFIX + name, tone_wav(talk_seconds))

    async def read(self, name: str) -> bytes | None:
        if not name or "\x00" in name:
            return None
        return await self._state.get(PREFIX + name)
