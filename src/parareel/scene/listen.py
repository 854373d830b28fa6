"""Listening: the sound at the current frame, as numbers a scene can animate with.

    circle.radius(lambda: 80 + 120 * scene.audio.level())
    for i, bar in enumerate(bars):
        bar.height(lambda i=i: 10 + 300 * scene.audio.spectrum(len(bars))[i])

It hears the sounds started with `scene.play` up to the current frame (a sound
started later is not known yet; a Video's own sound is not included), mixed as the
video's track mixes them, so a frame's values are the same in every chunk.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from parareel.scene.audio import RATE, Cue, Placed
from parareel.scene.clock import Clock

FLOOR_DB = -60.0  # the quietest level shown above 0
_ENDLESS = 2**62  # placed sounds end where they end: no video length is needed here


class Listener:
    """The sound at the current frame: `scene.audio`."""

    def __init__(self, cues: list[Cue], clock: Clock) -> None:
        self._cues, self._clock = cues, clock
        self._placed: list[Placed] = []
        self._heard: dict[tuple, np.ndarray] = {}  # this frame's mixes: bars ask many times

    def samples(self, seconds: float) -> np.ndarray:
        """The mix (mono, float32) for `seconds` from the current frame's start."""
        clock = self._clock
        frame = clock.start + clock.frame
        key = (frame, seconds)
        if key not in self._heard:
            if len(self._heard) > 8:
                self._heard.clear()
            self._heard[key] = self._mix(frame, seconds)
        return self._heard[key]

    def _mix(self, frame: int, seconds: float) -> np.ndarray:
        clock = self._clock
        while len(self._placed) < len(self._cues):  # sounds started since the last call
            self._placed.append(Placed(self._cues[len(self._placed)], clock.fps, _ENDLESS))
        first = round(frame * RATE / Fraction(clock.fps))
        block = np.zeros((max(1, round(seconds * RATE)), 2), np.float32)
        for placed in self._placed:  # every cue known was started by now
            placed.add_to(block, first)
        return np.clip(block, -1.0, 1.0).mean(axis=1)

    def level(self, seconds: float | None = None) -> float:
        """How loud it is, 0 (silence) to 1 (full scale): the mix's RMS over the current
        frame (or `seconds` from its start), on a decibel scale from -60 dB to 0 dB."""
        window = self.samples(seconds if seconds is not None else 1 / float(self._clock.fps))
        rms = float(np.sqrt(np.mean(np.square(window, dtype=np.float64))))
        return _scaled_db(20 * math.log10(rms) if rms > 0 else -math.inf)

    def spectrum(self, bands: int = 16, low: float = 40.0, high: float = 16_000.0,
                 size: int = 2048) -> list[float]:
        """`bands` values from 0 to 1: how loud each frequency band is, low to high, with
        bands evenly spaced in pitch from `low` to `high` Hz, over `size` samples from
        the current frame's start (a Hann window), on a -60 to 0 dB scale."""
        if bands < 1 or not 0 < low < high <= RATE / 2:
            raise ValueError(f"spectrum needs bands >= 1 and 0 < low < high <= {RATE // 2} Hz")
        window = self.samples(size / RATE)
        magnitudes = np.abs(np.fft.rfft(window * np.hanning(size))) * (4 / size)
        frequencies = np.fft.rfftfreq(size, 1 / RATE)
        edges = np.geomspace(low, high, bands + 1)
        levels = []
        for lo, hi in zip(edges[:-1], edges[1:], strict=True):
            inside = magnitudes[(frequencies >= lo) & (frequencies < hi)]
            if not len(inside):  # a band narrower than one bin: the nearest bin
                inside = magnitudes[[int(np.argmin(np.abs(frequencies - (lo + hi) / 2)))]]
            peak = float(inside.max())
            levels.append(_scaled_db(20 * math.log10(peak) if peak > 0 else -math.inf))
        return levels


def _scaled_db(db: float) -> float:
    return min(1.0, max(0.0, 1 - db / FLOOR_DB))
