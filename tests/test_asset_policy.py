"""The asset policy on Lambda (assets/policy.py) and whole downloads (assets/download.py).

No test here sends a packet anywhere but 127.0.0.1: names resolve through this file's
own resolver (internal.test is 10.0.0.7, metadata.test 169.254.169.254, ...), and a
socket guard fails the test, without connecting, on any address that is not loopback.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from pathlib import Path

import av
import boto3
import numpy as np
import pytest

import parareel
from parareel import assets
from parareel.assets import policy as policy_module
from parareel.assets.policy import AssetPolicy
from parareel.aws.handler import handler
from parareel.errors import AssetError
from tests.conftest import SUITE, decode
from tests.media_server import MEDIA

NAMES = {"internal.test": ["10.0.0.7"], "metadata.test": ["169.254.169.254"],
         "mixed.test": ["93.184.216.34", "10.1.2.3"], "public.test": ["93.184.216.34"],
         "v6internal.test": ["fd00:ec2::254"], "mapped.test": ["::ffff:169.254.169.254"],
         "shared.test": ["100.64.0.1"], "loopback.test": ["127.0.0.1"]}
REFUSED = "is not allowed by the asset policy"


@pytest.fixture(autouse=True)
def guard(monkeypatch, tmp_path_factory):
    """Names from NAMES, numbers as they are (no DNS); connections to loopback only."""
    tried = []

    def lookup(host: str, port: int) -> list[str]:
        if host in NAMES:
            return NAMES[host]
        return [info[4][0] for info in socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_NUMERICHOST)]

    def guarded(method):
        def connect(self, address):
            if self.family in (socket.AF_INET, socket.AF_INET6) and not ipaddress.ip_address(
                    address[0].split("%")[0]).is_loopback:
                tried.append(address)
                raise ConnectionRefusedError(f"socket guard: {address} is not loopback")
            return method(self, address)
        return connect

    monkeypatch.setattr(policy_module, "lookup", lookup)
    monkeypatch.setattr(socket.socket, "connect", guarded(socket.socket.connect))
    monkeypatch.setattr(socket.socket, "connect_ex", guarded(socket.socket.connect_ex))
    monkeypatch.setenv("PARAREEL_CACHE", str(tmp_path_factory.mktemp("cache")))
    assets.forget()
    yield
    assets.forget()
    assert not tried, f"a connection to {tried} was attempted"


def confined(**options) -> AssetPolicy:
    return AssetPolicy(confined=True, root=Path.cwd(), **options)


def opened(url: str, policy: AssetPolicy) -> str:
    with assets.applied(policy):
        return assets.resolve(url, "image")


def refusal(url: str, policy: AssetPolicy) -> str:
    with pytest.raises(AssetError, match=REFUSED) as caught:
        opened(url, policy)
    return str(caught.value).replace(url, "URL")


# -- paths -----------------------------------------------------------------------------

def test_paths_leading_out_of_the_deployed_folder_are_refused_alike(tmp_path):
    root = tmp_path / "task"
    (root / "project" / "media").mkdir(parents=True)
    (root / "project" / "media" / "logo.png").write_bytes(MEDIA["logo.png"].read_bytes())
    secret = tmp_path / "secret.png"
    secret.write_bytes(MEDIA["logo.png"].read_bytes())
    (root / "project" / "link.png").symlink_to(secret)
    policy = AssetPolicy(confined=True, root=root)
    token = assets.project_folder.set(root / "project")
    try:
        with assets.applied(policy):
            answers = {text: _refused(text) for text in (
                str(secret), secret.as_uri(), str(tmp_path / "missing.png"), "../../secret.png",
                "../../../../etc/passwd", "~root/.bashrc", "link.png")}
            inside = assets.resolve("media/../media/logo.png", "image")
            absolute_inside = assets.resolve(str(root / "project/media/logo.png"), "image")
    finally:
        assets.project_folder.reset(token)
    assert set(answers.values()) == {f"TEXT {REFUSED} (see 'Assets' in the README)"}, answers
    assert inside == absolute_inside == str(root / "project/media/logo.png")


def _refused(text: str) -> str:
    with pytest.raises(AssetError, match=REFUSED) as caught:
        assets.resolve(text, "image")
    return str(caught.value).replace(text, "TEXT")


def test_a_variable_naming_a_file_of_the_machine_is_refused_by_the_function(stack, tmp_path):
    secret = tmp_path / "secret.png"
    secret.write_bytes(MEDIA["logo.png"].read_bytes())
    answers = []
    for image in (str(secret), str(tmp_path / "missing.png"), "../../../../etc/passwd"):
        body = handler({"jobType": "fullRender", "jobId": f"path-{len(answers)}",
                        "variables": {"case": "media", "image": image}})
        assert body["status"] == "error" and REFUSED in body["errorMessage"], body
        answers.append(body["errorMessage"].replace(image, "IMAGE"))
    assert len(set(answers)) == 1  # whether the file exists is not told


def test_a_project_rendered_locally_still_opens_any_path(tmp_path):
    from parareel import Image, Project

    image = tmp_path / "elsewhere.png"
    image.write_bytes(MEDIA["logo.png"].read_bytes())

    def scene(s):
        s.add(Image(str(image), width=32, height=32))
        yield

    frame = next(parareel.frames(Project(scenes=[scene], size=(32, 32))))
    assert frame[..., 3].max() == 255


# -- addresses -------------------------------------------------------------------------

def test_internal_addresses_are_refused_before_any_connection(http):
    port = http.url.rsplit(":", 1)[1]
    policy = confined()
    answers = {url: refusal(url, policy) for url in (
        "http://internal.test/logo.png", "http://metadata.test/latest/meta-data/",
        "http://169.254.169.254/latest/meta-data/", "http://mixed.test/logo.png",
        "http://v6internal.test/logo.png", "http://mapped.test/logo.png",
        "http://shared.test/logo.png", "http://loopback.test/logo.png",
        "https://internal.test/logo.png", f"{http.url}/logo.png", f"{http.url}/missing.png",
        "http://127.0.0.1:9/logo.png", f"http://[::1]:{port}/logo.png",
        f"http://0.0.0.0:{port}/logo.png", "http://[::ffff:10.0.0.1]/logo.png")}
    # an open port, a closed one and a missing file look the same: no port scanning
    assert set(answers.values()) == {f"URL {REFUSED} (see 'Assets' in the README)"}, answers
    assert http.sent == {}  # nothing reached the server


def test_public_addresses_pass_and_allowed_local_servers_are_reached(http):
    assert confined().check_addresses("http://public.test/", "public.test", 80) == \
        ["93.184.216.34"]
    host = http.url.removeprefix("http://")
    path = opened(f"{http.url}/logo.png", confined(hosts=frozenset({host})))
    assert Path(path).read_bytes() == MEDIA["logo.png"].read_bytes()


def redirect(to: str):
    def answer(request) -> None:
        request.send_response(302)
        request.send_header("Location", to)
        request.send_header("Content-Length", "0")
        request.end_headers()
    return answer


def test_every_hop_of_a_redirect_is_checked(http):
    other = http.url.replace("127.0.0.1", "[::1]")  # the same server, another address
    http.special.update({"/to-metadata": redirect("http://metadata.test/latest/meta-data/"),
                         "/to-internal": redirect(f"{other}/logo.png"),
                         "/to-file": redirect("file:///etc/passwd"),
                         "/to-logo": redirect("/logo.png")})
    policy = confined(hosts=frozenset({http.url.removeprefix("http://")}))
    refusal(f"{http.url}/to-metadata", policy)
    refusal(f"{http.url}/to-internal", policy)
    with pytest.raises(AssetError, match="only http:// and https:// are followed"):
        opened(f"{http.url}/to-file", policy)
    assert Path(opened(f"{http.url}/to-logo", policy)).read_bytes() == \
        MEDIA["logo.png"].read_bytes()


def test_a_webhook_to_an_internal_address_is_refused_before_any_work(stack):
    """A caller's webhook is a request the function makes, like a caller's asset URL."""
    from parareel.aws import webhooks

    answers = []
    for host in ("internal.test", "metadata.test", "mixed.test", "127.0.0.1:9"):
        body = handler({"jobType": "fullRender", "jobId": f"hook-{len(answers)}",
                        "webhook": {"url": f"http://{host}/hook", "secret": "s"}})
        assert body["errorType"] == "InvalidEvent", body
        answers.append(body["errorMessage"].replace(host, "HOST"))
        assert boto3.client("s3").list_objects_v2(  # no job was claimed
            Bucket=stack.bucket, Prefix=f"jobs/hook-{len(answers) - 1}.").get("KeyCount") == 0
    assert set(answers) == {f"webhook: http://HOST/hook {REFUSED} (see 'Assets' in the README)"}
    # and at delivery, should the name resolve otherwise by then: no connection is tried,
    # and no second attempt (it would be refused again), so no wait before one
    started = time.monotonic()
    assert not webhooks.deliver("http://metadata.test/hook", "s", {"status": "done"},
                                policy=confined())
    assert time.monotonic() - started < webhooks.FIRST_WAIT


# -- buckets ---------------------------------------------------------------------------

def test_s3_assets_only_from_allowed_buckets_never_renders_or_jobs(stack):
    s3 = boto3.client("s3")
    s3.put_object(Bucket=stack.bucket, Key="renders/someone/out.mp4", Body=b"private")
    s3.put_object(Bucket=stack.bucket, Key="media/policy-note.txt", Body=b"shared")
    policy = confined(buckets=(f"{stack.bucket}/media",))
    answers = {url: refusal(url, policy) for url in (
        f"s3://{stack.bucket}/renders/someone/out.mp4",
        f"s3://{stack.bucket}/renders/nobody/out.mp4", f"s3://{stack.bucket}/jobs/x.json",
        f"s3://{stack.bucket}/cache/blocks/0123abcd.mp4", f"s3://{stack.bucket}/other/x.png", f"s3://{stack.bucket}/media/../renders/x",
        "s3://another-bucket/media/x.png")}
    assert len(set(answers.values())) == 1, answers
    assert Path(opened(f"s3://{stack.bucket}/media/policy-note.txt", policy)).read_bytes() \
        == b"shared"
    everything = confined(buckets=(stack.bucket,))
    refusal(f"s3://{stack.bucket}/renders/someone/out.mp4", everything)
    refusal(f"s3://{stack.bucket}/cache/blocks/0123abcd.mp4", everything)  # others' blocks
    # an allowed bucket does not tell a missing object from a refused one either
    with pytest.raises(AssetError, match="no such object, or access refused"):
        opened(f"s3://{stack.bucket}/media/missing.png", everything)


def test_the_function_refuses_another_renders_video_as_an_asset(stack):
    s3 = boto3.client("s3")
    s3.put_object(Bucket=stack.bucket, Key="renders/victim/out.mp4",
                  Body=MEDIA["bg.mp4"].read_bytes())
    answers = []
    for key in ("renders/victim/out.mp4", "renders/nobody/out.mp4", "jobs/victim.json"):
        body = handler({"jobType": "fullRender", "jobId": f"steal-{len(answers)}",
                        "variables": {"case": "media", "video": f"s3://{stack.bucket}/{key}"}})
        assert body["status"] == "error" and REFUSED in body["errorMessage"], body
        answers.append(body["errorMessage"].replace(key, "KEY"))
    assert len(set(answers)) == 1


def test_the_function_plays_a_clip_with_sound_from_an_allowed_bucket(stack, tmp_path):
    """The clip's copy lies outside the deployed folder: its sound is mixed from that
    copy, not refused as a path a caller named."""
    s3 = boto3.client("s3")
    s3.put_object(Bucket=stack.bucket, Key="media/with-sound.mp4",
                  Body=MEDIA["bg.mp4"].read_bytes())
    body = handler({"jobType": "fullRender", "jobId": "clip-with-sound", "numWorkers": 2,
                    "variables": {"case": "media", "video": f"s3://{stack.bucket}/media/"
                                  "with-sound.mp4"}})
    assert body["status"] == "done", body
    out = tmp_path / "out.mp4"
    s3.download_file(stack.bucket, body["url"].split(f"/{stack.bucket}/")[1].split("?")[0],
                     str(out))
    with av.open(str(out)) as container:
        sound = np.concatenate([f.to_ndarray().ravel() for f in container.decode(audio=0)])
    assert np.abs(sound).max() > 0.01  # the sound track was mixed


# -- whole downloads -------------------------------------------------------------------

def test_a_download_cut_short_is_refused_and_never_kept(http):
    whole = MEDIA["logo.png"].read_bytes()

    def short(request) -> None:  # promises every byte, sends a fifth, hangs up
        request.send_response(200)
        request.send_header("ETag", '"short"')
        request.send_header("Content-Length", str(len(whole)))
        request.end_headers()
        request.wfile.write(whole[:len(whole) // 5])
        request.close_connection = True

    http.special["/flaky.png"] = short
    with pytest.raises(AssetError, match=r"cut short \([\d,]+ of [\d,]+ bytes\)"):
        assets.resolve(f"{http.url}/flaky.png", "image")
    assert _leftovers() == []
    del http.special["/flaky.png"]  # the server is mended: the whole file arrives
    http.files["/flaky.png"] = whole
    assert Path(assets.resolve(f"{http.url}/flaky.png", "image")).read_bytes() == whole


def test_downloads_are_capped_in_size_and_time_and_leave_nothing(http):
    def huge(request) -> None:  # says 5 GiB, sends 300 KB
        request.send_response(200)
        request.send_header("Content-Length", str(5 * 1024**3))
        request.end_headers()
        request.wfile.write(b"\0" * 300_000)

    def endless(request) -> None:  # no length, more than the cap
        request.send_response(200)
        request.end_headers()
        for _ in range(40):
            request.wfile.write(b"\0" * 100_000)

    def drip(request) -> None:  # a byte every 0.3 s: each read is quick, the whole is not
        request.send_response(200)
        request.send_header("Content-Length", "100")
        request.end_headers()
        for _ in range(100):
            request.wfile.write(b"\0")
            request.wfile.flush()
            time.sleep(0.3)

    http.special.update({"/huge.mp4": huge, "/endless.mp4": endless, "/drip.mp4": drip})
    policy = AssetPolicy(max_bytes=1024**2, seconds=1.5)
    for name in ("huge", "endless"):
        with pytest.raises(AssetError, match="larger than the 1 MB an asset may be"):
            opened(f"{http.url}/{name}.mp4", policy)
    started = time.monotonic()
    with pytest.raises(AssetError, match=r"took longer than 2 s"):
        opened(f"{http.url}/drip.mp4", policy)
    assert time.monotonic() - started < 3
    assert _leftovers() == []


def _leftovers() -> list[str]:
    folder = assets.cache_folder()
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def test_chunks_use_the_copy_the_survey_pinned_when_the_object_changes(stack, http, tmp_path):
    """An image that changes at every request: the survey's copy is in every frame."""
    from parareel.engines.aws_lambda import LambdaEngine

    red, blue = (_png((255, 0, 0)), _png((0, 0, 255)))
    served = []

    def changing(request) -> None:
        body = red if len(served) % 2 == 0 else blue
        served.append(body is red)
        request.send_response(200)
        request.send_header("ETag", f'"{len(served)}"')
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    http.special["/changing.png"] = changing
    out = tmp_path / "out.mp4"
    variables = {"case": "media", "image": f"{http.url}/changing.png"}
    parareel.render(SUITE, out, variables=variables, workers=3, chunk_frames=15,
                    encoding=parareel.Encoding(lossless=True),
                    engine=LambdaEngine("parareel", stack.bucket))
    frames = decode(out)[1]
    logo = [frame[142:158, 272:288].reshape(-1, 3).mean(axis=0) for frame in frames]
    assert served == [True]  # fetched once, by the survey
    assert all(np.allclose(patch, logo[0], atol=1) for patch in logo)
    assert logo[0][0] > 200 and logo[0][2] < 50  # red, the survey's copy
    keys = [o["Key"] for o in boto3.client("s3").list_objects_v2(
        Bucket=stack.bucket, Prefix="renders/").get("Contents", [])]
    assert not [k for k in keys if "/assets/" in k]  # the render's copies went with it


def test_an_asset_replaced_between_the_survey_and_the_chunks_stops_the_render(http, tmp_path):
    from parareel import Image, Project
    from parareel.engines.local import LocalEngine
    from parareel.pipeline import execute, prepare

    def scene(s):
        s.add(Image(f"{http.url}/swapped.png", width=32, height=32))
        yield

    http.files["/swapped.png"] = _png((255, 0, 0))
    prepared = prepare(Project(scenes=[scene], size=(32, 32)))
    http.files["/swapped.png"] = _png((0, 0, 255))  # a newer version, fetched by another
    assets.forget()                                  # render into the same cache meanwhile
    assets.resolve(f"{http.url}/swapped.png")
    with pytest.raises(AssetError, match="changed while the render was starting"):
        execute(prepared, LocalEngine(), tmp_path / "out.mp4")
    assert list(tmp_path.iterdir()) == []


def _png(rgb: tuple[int, int, int]) -> bytes:
    import skia

    pixels = np.zeros((8, 8, 4), np.uint8)
    pixels[..., :3], pixels[..., 3] = rgb, 255
    return bytes(skia.Image.fromarray(pixels).encodeToData(skia.kPNG, 100))


def test_the_cache_keeps_to_a_share_of_the_free_space(monkeypatch):
    import collections
    import os

    folder = assets.cache_folder()
    folder.mkdir(parents=True, exist_ok=True)
    for age, name in enumerate(("oldest", "older", "newest")):
        (folder / name).write_bytes(b"\0" * 4 * 1024**2)
        (folder / f"{name}.json").write_text("{}")
        os.utime(folder / name, (1000 + age, 1000 + age))
    usage = collections.namedtuple("usage", "total used free")
    # 12 MB cached and 4 MB free: a half share of the room is 8 MB, two copies
    monkeypatch.setattr(assets.shutil, "disk_usage", lambda _: usage(0, 0, 4 * 1024**2))
    assets._trim(folder)
    assert _leftovers() == ["newest", "newest.json", "older", "older.json"]
