"""Variant batches: one video per set of variables, on one pool of warm workers.

    parareel render PROJECT --batch variants.jsonl -o "out/{name}.mp4"

Each line of the file is an object of variables; the output's name is filled in from
them (`{name}`, any field, or `{line}`: the line's number). A field the name uses and
the project does not read only names the file. Every variant is checked before any is
drawn (a bad variable stops the batch naming its line); then they render one after
another on workers started once, through the block cache, so a block two variants draw
alike is drawn once; each video is planned, and joined, while another one draws.
"""

from __future__ import annotations

import contextlib
import json
import os
import string
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from parareel.contract import ChunkJob, ChunkResult, Report
from parareel.engines import Engine, get_engine
from parareel.errors import ParareelError
from parareel.load import load_project
from parareel.media.formats import Encoding, output_format
from parareel.pipeline import Prepared, RenderResult, execute, prepare
from parareel.plan import workers_for
from parareel.progress import FrameProgress
from parareel.scene.project import Project
from parareel.storage.blocks import open_cache


@dataclass(frozen=True)
class Variant:
    line: int  # 1-based, in the batch file
    output: str
    variables: dict[str, Any]
    frames: int  # the video's, with these variables


def read_batch(path: str | os.PathLike) -> list[dict[str, Any]]:
    """The variables of each line of a JSON Lines file (blank lines skipped)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ParareelError(f"cannot read the batch {str(path)!r}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ParareelError(f"the batch {str(path)!r} is not JSON Lines (it is not text)") \
            from None
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            fields = json.loads(line)
        except ValueError as exc:
            raise ParareelError(f"{path}, line {number}: not JSON ({exc})") from None
        if not isinstance(fields, dict):
            raise ParareelError(f"{path}, line {number}: a line is an object of variables, "
                                'like {"name": "alice", "message": "Hi Alice"}')
        found.append(fields)
    if not found:
        raise ParareelError(f"the batch {str(path)!r} has no lines: nothing to render")
    return found


def output_names(output: str, lines: Sequence[Mapping[str, Any]]) -> list[str]:
    """Each line's output: `output` filled in from its fields ({line}: its number), every
    name different."""
    if not fields_of(output):
        raise ParareelError(f"-o {output!r} would name every video the same: put a field of "
                            "the batch in it, e.g. out/{name}.mp4, or {line}")
    names: dict[str, int] = {}
    for number, fields in enumerate(lines, 1):
        for field in fields_of(output) & set(fields):
            _check_name_part(number, field, str(fields[field]))
        try:
            name = output.format(line=number, **{k: v for k, v in fields.items()
                                                 if k != "line"})
        except (KeyError, IndexError, ValueError) as exc:
            raise ParareelError(f"batch line {number}: -o {output!r} names {exc} which the "
                                "line does not have") from None
        if name in names:
            raise ParareelError(f"batch lines {names[name]} and {number} would both write "
                                f"{name!r}: name the outputs by a field that differs")
        names[name] = number
    return list(names)


def _check_name_part(number: int, field: str, value: str) -> None:
    """A field's value becomes part of one file name: never a folder of its own, nor one
    that leads elsewhere."""
    why = None
    if not value:
        why = "it is empty"
    elif "/" in value or "\0" in value:
        why = f"it has a {'/' if '/' in value else 'NUL'!r}"
    elif value in (".", ".."):
        why = "it means a folder"
    if why:
        raise ParareelError(f"batch line {number}: {field} {value!r} cannot be part of a file "
                            f"name ({why})")


def fields_of(output: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(output) if field}


def variants(project: Project, lines: Sequence[Mapping[str, Any]],
             output: str) -> list[Variant]:
    """Each line's output name and variables, checked: a field only the name uses (the
    project does not read it) is left out of the variables."""
    named, made = fields_of(output), []
    for number, (name, fields) in enumerate(zip(output_names(output, lines), lines,
                                                strict=True), 1):
        shown = {k: v for k, v in fields.items() if k not in named}
        survey = project.survey(shown)
        chosen = {k: v for k, v in fields.items() if k not in named or k in survey.variables}
        frames = survey.frames if chosen == shown else project.frame_count(chosen)
        made.append(Variant(number, name, chosen, frames))
    return made


def render_batch(project: str | Project, lines: Sequence[Mapping[str, Any]], output: str,
                 *, workers: int | str = "auto", encoding: Encoding | None = None,
                 engine: str | Engine = "local", cache: bool | str | os.PathLike = True,
                 progress: bool = False,
                 on_video: Callable[[Variant, RenderResult], None] | None = None
                 ) -> list[RenderResult]:
    """Render one video per line of variables into `output` (a name with fields)."""
    loaded = load_project(project)
    encoding = replace(encoding or Encoding(), format=output_format(output).name)
    store = None if cache is False else open_cache(None if cache is True else cache)
    checked = variants(loaded, lines, output)
    frames = [v.frames for v in checked]

    def planned(variant: Variant) -> Prepared:
        try:
            return prepare(loaded, variant.variables, workers=workers, encoding=encoding,
                           cache=store)
        except ParareelError as exc:
            raise _on_line(exc, variant.line) from exc

    chosen = get_engine(engine)
    chosen.start(loaded, workers_for(max(frames), workers))  # before any thread of ours
    warm, turns, stopped = _Warm(chosen), _Turns(), threading.Event()
    bar = FrameProgress(sum(frames), "batch", enabled=progress)

    def one(number: int, variant: Variant) -> RenderResult | None:
        if stopped.is_set():  # a video before failed: the batch stops
            turns.over(number)
            return None
        try:
            prepared = planned(variant)
            label = f"video {number}/{len(checked)}"

            def on_report(report: Report) -> None:
                if report.reused:
                    bar.skip(report.frames, f"{label} ({report.reused}/"
                             f"{len(prepared.chunks)} reused)")
                elif report.frames:
                    advance(report.frames)

            result = execute(prepared, warm, variant.output, on_report=on_report,
                             drawing=turns.of(number))
        except BaseException:
            stopped.set()
            raise
        finally:
            turns.over(number)  # drawn, or failed: the next may draw
        if on_video is not None:
            on_video(variant, result)
        return result

    # two videos at a time: one draws while the one before is joined, the next planned
    videos = ThreadPoolExecutor(2)
    try:
        with bar as advance:
            return [r for r in videos.map(one, range(1, len(checked) + 1), checked) if r]
    finally:
        videos.shutdown(wait=True, cancel_futures=True)  # a failure stops what has not begun
        chosen.stop()


def _on_line(exc: ParareelError, line: int) -> ParareelError:
    """The error, saying which line of the batch it came from."""
    try:
        return type(exc)(f"batch line {line}: {exc}")
    except TypeError:  # an error made of parts (a SceneError): the same words
        return ParareelError(f"batch line {line}: {exc}")


class _Turns:
    """The videos of a batch draw one at a time, in their order."""

    def __init__(self) -> None:
        self._next, self._changed = 1, threading.Condition()

    @contextlib.contextmanager
    def of(self, number: int) -> Iterator[None]:
        with self._changed:
            self._changed.wait_for(lambda: self._next >= number)
        try:
            yield
        finally:
            self.over(number)

    def over(self, number: int) -> None:
        with self._changed:
            self._next = max(self._next, number + 1)
            self._changed.notify_all()


class _Warm:
    """An engine started once for a whole batch: each render's start and stop leave its
    workers running."""

    def __init__(self, engine: Engine) -> None:
        self.engine, self.name = engine, engine.name

    def start(self, project: Project, workers: int) -> None:
        pass

    def segment_folder(self, render_id: str, workspace: Path) -> str:
        return self.engine.segment_folder(render_id, workspace)

    def run(self, jobs: Sequence[ChunkJob], report) -> list[ChunkResult]:
        return self.engine.run(jobs, report)

    def stop(self) -> None:
        pass
