"""The studio's web server: the page, its API, saves watched, renders run.

    GET  /                       the page
    GET  /api/project?vars=      size, fps, frames, scenes, sound cues, variables (JSON)
    GET  /api/frame/{n}?scale=s  frame n as a JPEG at scale s (0.1-1)
    GET  /api/still/{n}          frame n as a PNG at full scale
    GET  /api/audio              the video's sound as WAV (204: it has none)
    GET  /api/events             server-sent events: reload, problem, render progress
    POST /api/render             render the range or the whole video as `parareel render`
    GET  /files/{path}           files inside the project's folder (renders, assets)

It listens on 127.0.0.1 only. `vars` is the variables as JSON, as in the page's URL.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from parareel.studio.preview import FORK
from parareel.studio.versions import Failed, Versions

STATIC = Path(__file__).parent / "static"
RENDERS = "renders"  # under the project's folder: where the page's renders go
FORMATS = {"mp4": ".mp4", "webm": ".webm", "gif": ".gif", "mov": ".mov"}


class Studio:
    """What the server keeps: the project's versions, the page's listeners, renders."""

    def __init__(self, ref: str, variables: dict[str, Any]) -> None:
        self.ref, self.variables = ref, variables
        target = ref.rpartition(":")[0] if ":" in ref and not ref.endswith(".py") else ref
        self.folder = Path(target).resolve().parent if target.endswith(".py") \
            else Path.cwd().resolve()
        self.versions = Versions(ref)
        self.listeners: set[asyncio.Queue] = set()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.watched: set[Path] = {self.folder}
        self.renders: set = set()  # render processes running

    def tell(self, event: dict[str, Any]) -> None:
        """Send an event to every open page (from any thread)."""
        if self.loop is None:
            return
        for queue in list(self.listeners):
            self.loop.call_soon_threadsafe(queue.put_nowait, event)

    def reload(self) -> None:
        problem = self.versions.load()
        if problem is None:
            self.tell({"type": "reload", "version": self.versions.number})
        else:
            self.tell({"type": "problem", **asdict(problem)})


def _variables(studio: Studio, request: Request) -> dict[str, Any]:
    text = request.query_params.get("vars")
    if not text:
        return dict(studio.variables)
    try:
        given = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadRequest(f"vars is not JSON: {exc}") from None
    if not isinstance(given, dict):
        raise BadRequest("vars must be a JSON object of variable names and values")
    return {**studio.variables, **given}


class BadRequest(Exception):
    pass


def _problem(exc: Exception) -> JSONResponse:
    if isinstance(exc, Failed):
        return JSONResponse({"problem": asdict(exc.problem)}, status_code=422)
    return JSONResponse({"problem": {"message": str(exc)}}, status_code=400)


def make_app(ref: str, variables: dict[str, Any] | None = None) -> Starlette:
    """The studio for the project at `ref` (a .py path or module:attr)."""
    studio = Studio(ref, variables or {})

    async def run(function, *args):
        return await asyncio.get_running_loop().run_in_executor(None, function, *args)

    async def page(request: Request) -> Response:
        return FileResponse(STATIC / "index.html")

    async def project(request: Request) -> Response:
        try:
            described = await run(studio.versions.ask, "describe", _variables(studio, request))
        except (Failed, BadRequest) as exc:
            return _problem(exc)
        studio.watched |= {Path(f).parent for f in described.pop("files")}
        described["version"] = studio.versions.number
        described["problem"] = asdict(studio.versions.problem) if studio.versions.problem \
            else None
        return JSONResponse(described)

    async def frame(request: Request) -> Response:
        try:
            scale = float(request.query_params.get("scale", "1"))
            if not 0.05 <= scale <= 1:
                raise BadRequest(f"scale must be from 0.05 to 1, got {scale}")
            data = await run(studio.versions.frame, int(request.path_params["n"]), scale,
                             _variables(studio, request))
        except (Failed, BadRequest, ValueError) as exc:
            return _problem(exc)
        return Response(data, media_type="image/jpeg", headers={"Cache-Control": "no-store"})

    async def still(request: Request) -> Response:
        n = int(request.path_params["n"])
        try:
            data = await run(studio.versions.ask, "still", n, _variables(studio, request))
        except (Failed, BadRequest) as exc:
            return _problem(exc)
        name = f"{Path(studio.ref).stem}-frame-{n}.png"
        return Response(data, media_type="image/png",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})

    async def audio(request: Request) -> Response:
        try:
            path = await run(studio.versions.ask, "sound", _variables(studio, request))
        except (Failed, BadRequest) as exc:
            return _problem(exc)
        return Response(status_code=204) if path is None else \
            FileResponse(path, media_type="audio/wav")

    async def events(request: Request) -> Response:
        queue: asyncio.Queue = asyncio.Queue()
        studio.listeners.add(queue)

        async def stream():
            try:
                yield "retry: 500\n\n"
                if studio.versions.problem is not None:
                    problem = {"type": "problem", **asdict(studio.versions.problem)}
                    yield f"data: {json.dumps(problem)}\n\n"
                while True:
                    try:
                        event = await asyncio.wait_for(queue.get(), 15)
                        yield f"data: {json.dumps(event)}\n\n"
                    except TimeoutError:
                        yield ": still here\n\n"  # keeps proxies and the browser listening
            finally:
                studio.listeners.discard(queue)

        return StreamingResponse(stream(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store"})

    async def render(request: Request) -> Response:
        origin = request.headers.get("origin")
        if origin is not None and origin != f"http://{request.headers.get('host')}":
            return JSONResponse({"problem": {"message": "renders are asked for by the "
                                             "studio's own page"}}, status_code=403)
        try:
            asked = await request.json()
            output, options = _render_options(studio, asked)
            values = {**studio.variables, **asked.get("variables", {})}
        except (BadRequest, ValueError) as exc:
            return _problem(exc)
        threading.Thread(target=_render, args=(studio, output, values, options),
                         daemon=True).start()
        return JSONResponse({"output": str(output.relative_to(studio.folder))},
                            status_code=202)

    async def files(request: Request) -> Response:
        wanted = (studio.folder / request.path_params["path"]).resolve()
        if not wanted.is_relative_to(studio.folder) or not wanted.is_file():
            return JSONResponse({"problem": {"message": "only files inside the project's "
                                             "folder are served"}}, status_code=403)
        return FileResponse(wanted)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        studio.loop = asyncio.get_running_loop()
        await run(studio.reload)
        watcher = asyncio.create_task(_watch(studio))
        try:
            yield
        finally:
            watcher.cancel()
            studio.versions.close()
            for process in list(studio.renders):
                process.kill()

    app = Starlette(routes=[
        Route("/", page), Route("/api/project", project), Route("/api/frame/{n:int}", frame),
        Route("/api/still/{n:int}", still), Route("/api/audio", audio),
        Route("/api/events", events), Route("/api/render", render, methods=["POST"]),
        Route("/files/{path:path}", files), Mount("/static", StaticFiles(directory=STATIC)),
    ], lifespan=lifespan, middleware=[
        # it listens on 127.0.0.1: a page elsewhere that rebinds its name to that address
        # (DNS rebinding) would otherwise read the project through the studio
        Middleware(TrustedHostMiddleware, allowed_hosts=["127.0.0.1", "localhost"])])
    app.state.studio = studio
    return app


def _render_options(studio: Studio, asked: dict[str, Any]) -> tuple[Path, dict[str, Any]]:
    kind = asked.get("format", "mp4")
    if kind not in FORMATS:
        raise BadRequest(f"format must be one of {', '.join(FORMATS)}")
    workers = asked.get("workers", "auto")
    if workers != "auto" and not (isinstance(workers, int) and workers >= 1):
        raise BadRequest('workers must be "auto" or a whole number from 1')
    options: dict[str, Any] = {"workers": workers}
    if asked.get("range"):
        start, end = asked["range"]
        options["frame_range"] = (int(start), int(end))
    quality = asked.get("quality", "standard")
    if quality not in ("draft", "standard", "high"):
        raise BadRequest("quality must be draft, standard or high")
    options["quality"] = quality
    stamp = time.strftime("%Y%m%d-%H%M%S")
    output = studio.folder / RENDERS / f"{Path(studio.ref).stem}-{stamp}{FORMATS[kind]}"
    return output, options


def _render(studio: Studio, output: Path, variables: dict[str, Any],
            options: dict[str, Any]) -> None:
    """Render in a process of its own, as `parareel render` would, telling the page how
    far it got (the server itself never loads the project: each version's process does)."""
    parent, child = FORK.Pipe()
    process = FORK.Process(target=_render_here, args=(studio.ref, output, variables, options,
                                                      child))
    process.start()
    child.close()
    studio.renders.add(process)
    try:
        while True:
            try:
                kind, value = parent.recv()
            except EOFError:
                studio.tell({"type": "rendered", "problem": "the render's process ended"})
                return
            if kind == "render":
                studio.tell({"type": "render", "done": value})
            else:
                studio.tell({"type": "rendered", **value})
                return
    finally:
        process.join()
        studio.renders.discard(process)


def _render_here(ref: str, output: Path, variables: dict[str, Any], options: dict[str, Any],
                 connection: Any) -> None:
    import parareel
    from parareel.media.formats import Encoding

    quality = options.pop("quality")
    done = [0]

    def advance(count: int) -> None:
        done[0] += count
        connection.send(("render", done[0]))

    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        result = parareel.render(ref, output, variables=variables, progress=advance,
                                 encoding=Encoding(quality=quality), **options)
    except Exception as exc:  # noqa: BLE001 - the page shows why
        connection.send(("rendered", {"problem": str(exc)}))
        return
    folder = output.parent.parent
    connection.send(("rendered", {"url": f"/files/{output.relative_to(folder)}",
                                  "frames": result.frames,
                                  "seconds": round(sum(result.timings.values()), 2)}))


async def _watch(studio: Studio) -> None:
    """Reload on every save of a watched file (the project's folder and the folders of
    the modules it imports), renders and caches aside."""
    import watchfiles

    def wanted(change: watchfiles.Change, path: str) -> bool:
        parts = Path(path).parts
        return not any(p.startswith(".") or p in (RENDERS, "__pycache__") for p in parts) \
            and not path.endswith((".pyc", "~", ".swp"))

    while True:
        watched = set(studio.watched)
        async for _ in watchfiles.awatch(*watched, watch_filter=wanted, debounce=40, step=20,
                                         recursive=True):
            await asyncio.get_running_loop().run_in_executor(None, studio.reload)
            if studio.watched != watched:
                break  # a new version imports other folders: watch those too
