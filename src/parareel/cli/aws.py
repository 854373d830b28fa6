"""The `parareel lambda ...` and `parareel dev` commands."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

import click

from parareel.assets.policy import PROTECTED
from parareel.cli.app import main
from parareel.cli.options import encoding_of, variables, with_mp4_encoding, with_variables
from parareel.storage.keys import job_key, new_render_id


@main.group("lambda")
def lambda_group() -> None:
    """Render on AWS Lambda (or on the local stack of `parareel dev`)."""


def _use_region(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value:
        os.environ["AWS_DEFAULT_REGION"] = value


region_option = click.option("--region", expose_value=False, callback=_use_region,
                             help="AWS region (default: AWS_REGION or your AWS config).")


@lambda_group.command("render")
@region_option
@click.option("--function", "function", required=True, help="The Lambda function's name.")
@with_variables
@click.option("--workers", type=int, default=10, show_default=True, help="Chunks (invocations).")
@click.option("--chunk-frames", type=int, help="Frames per chunk instead of --workers chunks.")
@click.option("--job-id", help="An id for the job (default: random).")
@click.option("--replace", is_flag=True,
              help="Render a finished --job-id again (its video goes once the new one is done).")
@click.option("--bucket", help="The bucket, to follow progress (default: $PARAREEL_BUCKET).")
@click.option("--download", type=click.Path(dir_okay=False), help="Save the video here too.")
@click.option("--cache", is_flag=True,
              help="Reuse the blocks (2 s each, one invocation each) that earlier renders of "
                   "the function kept in its bucket's cache/blocks/, and keep this one's.")
@click.option("--batch", type=click.Path(dir_okay=False),
              help="A JSON Lines file: one video per line of variables (jobs JOB_ID-1, "
                   "JOB_ID-2, ...), with the cache; --download names each from the line's "
                   "fields ('out/{name}.mp4'; {line} is its number).")
@click.option("--at-once", type=click.IntRange(min=1), default=2, show_default=True,
              help="With --batch: videos rendered at once (after the first, alone).")
@with_mp4_encoding
def lambda_render(function: str, assignments, vars_json, workers: int, chunk_frames: int | None,
                  job_id: str | None, replace: bool, bucket: str | None,
                  download: str | None, cache: bool, batch: str | None, at_once: int,
                  **settings) -> None:
    """Start a render (one asynchronous fullRender that fans out over WORKERS chunks) and
    follow it with a bar; Ctrl-C stops following, not the render. The function writes
    MP4 (--codec h264, h265 or av1)."""
    from parareel.aws.client import render_on_lambda

    encoding = encoding_of("mp4", settings)
    job_id = job_id or new_render_id()
    if batch is not None:
        _lambda_batch(function, batch, workers, job_id, at_once, bucket, download, encoding)
        return
    try:
        result = render_on_lambda(function, variables=variables(assignments, vars_json),
                                  workers=workers, job_id=job_id, chunk_frames=chunk_frames,
                                  replace=replace, bucket=bucket, download=download,
                                  progress=True, encoding=encoding, cache=cache)
    except KeyboardInterrupt:
        click.echo(f"stopped following job {job_id}; it goes on in the cloud: "
                   f"parareel lambda progress {job_id} --follow (or: lambda cancel {job_id})",
                   err=True)
        sys.exit(130)
    for warning in result.get("warnings", []):
        click.secho(f"warning: {warning}", fg="yellow", err=True)
    timings = ", ".join(f"{k} {v:.2f}s" for k, v in result["timings"].items())
    click.echo(f"job {result['jobId']}: {result['frames']} frames in {len(result['chunks'])} "
               f"chunks; {timings}; estimated cost ${result['cost']['total_usd']:.6f}")
    if download:
        click.echo(f"saved {download}")
    click.echo(result["url"])


def _lambda_batch(function: str, batch: str, workers: int, job_id: str, at_once: int,
                  bucket: str | None, download: str | None, encoding) -> None:
    from parareel.aws.client import render_batch_on_lambda
    from parareel.batch import read_batch

    def done(line: int, body: dict) -> None:
        drawn = sum(1 for c in body["chunks"] if c["seconds"] > 0)
        click.echo(f"line {line}: job {body['jobId']}, {drawn} of {len(body['chunks'])} "
                   f"blocks drawn; {body['url']}")

    results = render_batch_on_lambda(function, read_batch(batch), workers=workers,
                                     job_id=job_id, at_once=at_once, bucket=bucket,
                                     encoding=encoding, download=download, on_video=done)
    click.echo(f"{len(results)} videos (jobs {job_id}-1 to {job_id}-{len(results)})")


@lambda_group.command("progress")
@region_option
@click.argument("job_id")
@click.option("--bucket", help="The bucket (default: $PARAREEL_BUCKET).")
@click.option("--follow", is_flag=True, help="Show a bar until the render ends; print its URL.")
def lambda_progress(job_id: str, bucket: str | None, follow: bool) -> None:
    """Show a job's progress.json, or follow it to the end (from any client, any time)."""
    from parareel.aws import client
    from parareel.errors import ParareelError

    if follow:
        click.echo(client.follow(job_id, bucket)["url"])
        return
    state = client.job_progress(job_id, bucket)
    if state is None:
        raise ParareelError(f"no job {job_id!r} has started in this bucket "
                            f"(no {job_key(job_id)}, or its render has no progress yet)")
    click.echo(json.dumps(state.to_json(), indent=2))


@lambda_group.command("url")
@region_option
@click.argument("job_id")
@click.option("--bucket", help="The bucket (default: $PARAREEL_BUCKET).")
@click.option("--expires", type=click.IntRange(1, 7 * 24 * 3600), default=7 * 24 * 3600,
              show_default=True, help="Seconds the URL lives.")
def lambda_url(job_id: str, bucket: str | None, expires: int) -> None:
    """Print a URL of the job's video signed with your own credentials (the function's
    URL dies with its role's temporary credentials, within hours)."""
    from parareel.aws.client import video_url

    click.echo(video_url(job_id, bucket, expires))


@lambda_group.command("cancel")
@region_option
@click.argument("job_id")
@click.option("--bucket", help="The bucket (default: $PARAREEL_BUCKET).")
def lambda_cancel(job_id: str, bucket: str | None) -> None:
    """Stop a job's render: unstarted chunks never start, running ones are abandoned,
    its progress says "cancelled", and its files are deleted."""
    from parareel.aws.client import cancel_render

    render_id = cancel_render(job_id, bucket)
    click.echo(f"job {job_id}: render {render_id} asked to stop; "
               f"`parareel lambda progress {job_id}` shows when it has")


@lambda_group.command("estimate")
@click.option("--frames", type=int, required=True, help="Frames in the video.")
@click.option("--workers", type=int, default=10, show_default=True)
@click.option("--memory", type=int, default=2048, show_default=True, help="Function memory, MB.")
@click.option("--arch", type=click.Choice(["x86_64", "arm64"]), default="x86_64")
@click.option("--fps", type=float, default=15.0, show_default=True,
              help="Frames per second one invocation renders (measure yours with a render).")
@click.option("--overhead", type=float, default=1.5, show_default=True,
              help="Seconds each invocation spends starting, seeking and uploading.")
def lambda_estimate(frames: int, workers: int, memory: int, arch: str, fps: float,
                    overhead: float) -> None:
    """Estimate a render's Lambda cost from Lambda's published prices."""
    from parareel.aws.cost import cost_of
    from parareel.plan import plan

    chunks = plan(frames, workers)
    seconds = [c.frames / fps + overhead for c in chunks]
    wall = max(seconds) + overhead
    cost = cost_of([wall, *seconds], memory, arch)
    click.echo(f"{len(chunks)} chunks + 1 orchestrator, about {wall:.1f}s of wall time")
    click.echo(f"{cost.gb_seconds:.2f} GB-s  compute ${cost.compute_usd:.6f}  "
               f"requests ${cost.requests_usd:.6f}  total ${cost.total_usd:.6f}")


@main.command()
@click.option("--project", required=True, envvar="PARAREEL_PROJECT",
              help="The project the function renders (default: $PARAREEL_PROJECT).")
@click.option("--folder", type=click.Path(file_okay=False), help="Where S3 data and logs go.")
@click.option("--bucket", default="parareel-dev", show_default=True)
@click.option("--function", "function", default="parareel", show_default=True)
@click.option("--concurrency", type=int, default=8, show_default=True,
              help="Execution environments at most; more invocations get 429.")
@click.option("--timeout", type=float, default=900, show_default=True,
              help="Seconds an invocation may run.")
@click.option("--asset-host", "asset_hosts", multiple=True, metavar="ADDRESS:PORT",
              help="A local server renders may fetch assets from or send webhooks to "
                   "(repeat for more), e.g. "
                   "127.0.0.1:8000; other private addresses stay refused, as on Lambda.")
def dev(project: str, folder: str | None, bucket: str, function: str, concurrency: int,
        timeout: float, asset_hosts: tuple[str, ...]) -> None:
    """Run a local S3 server and Lambda endpoint on 127.0.0.1 until Ctrl-C."""
    from parareel.aws.dev import DevStack
    from parareel.load import load_project

    load_project(project)  # a clear error now rather than inside every invocation
    # Ctrl-C, and a plain `kill`, both stop the servers (even when started in the background)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    made = folder is None  # a folder of our own is removed when the servers stop
    folder = folder or tempfile.mkdtemp(prefix="parareel-dev-")
    extra = {"PARAREEL_ASSET_HOSTS": ",".join(asset_hosts)} if asset_hosts else {}
    stack = DevStack(folder, project, bucket, function, concurrency, timeout,
                     extra_env=extra).start()
    try:
        click.echo(f"# parareel dev: S3 data in {folder}; function {function!r} renders "
                   f"{project}")
        click.echo(f"# assets as on Lambda: files inside {Path.cwd()}, s3://{bucket}/ (not "
                   f"{_PROTECTED}), public http(s) addresses"
                   + (f", and {', '.join(asset_hosts)}" if asset_hosts else
                      " (--asset-host 127.0.0.1:PORT for a local server)"))
        click.echo("# paste into another shell, then: parareel lambda render --function "
                   f"{function} --workers 4 --download out.mp4")
        for name, value in stack.env.items():
            click.echo(f"export {name}={value}")
        while True:
            time.sleep(3600)
    finally:
        stack.stop()
        if made:
            shutil.rmtree(folder, ignore_errors=True)


def _deploy_config(project: str, bucket: str, region: str, memory: int, timeout: int,
                   disk: int, arch: str, expire_days: int = 7, reserved: int | None = None,
                   asset_buckets: tuple[str, ...] = ()):
    from parareel.aws.deploy import DeployConfig

    return DeployConfig(project=project, bucket=bucket, region=region, memory=memory,
                        timeout=timeout, disk=disk, arch=arch, expire_days=expire_days,
                        reserved=reserved, asset_buckets=asset_buckets)


_PROTECTED = " or ".join(PROTECTED)
asset_bucket_option = click.option(
    "--asset-bucket", "asset_buckets", multiple=True, metavar="BUCKET[/PREFIX]",
    help=f"Where s3:// assets may come from (repeat for more; never {_PROTECTED}). "
         "Without it, renders open no s3:// asset.")


def deployment_options(bucket_help: str):
    """The options naming a deployment; `bucket_help` says what this command does with
    the bucket."""
    def decorate(command):
        for option in reversed(_deployment(bucket_help)):
            command = option(command)
        return command

    return decorate


def _deployment(bucket_help: str) -> list:
    return [
        click.option("--project", required=True,
                     help="The project inside the current folder (.py path or module:attr)."),
        click.option("--bucket", required=True, help=bucket_help),
        click.option("--region", required=True, help="AWS region, e.g. us-east-1."),
        click.option("--memory", type=int, default=2048, show_default=True, help="MB."),
        click.option("--timeout", type=int, default=900, show_default=True, help="Seconds."),
        click.option("--disk", type=int, default=2048, show_default=True,
                     help="Ephemeral storage, MB: the main joins the video there (the "
                          "check before a render allows about 30 min of 1080p30)."),
        click.option("--arch", type=click.Choice(["x86_64", "arm64"]), default="x86_64",
                     show_default=True),
    ]


@lambda_group.command("deploy")
@deployment_options("The bucket renders go to: created, private, if missing.")
@click.option("--expire-days", type=int, default=7, show_default=True,
              help="Days after which renders/ objects are deleted.")
@click.option("--reserved-concurrency", "reserved", type=int,
              help="Reserve this many concurrent invocations for the function (and cap it "
                   "there); default: none, it shares the account's pool.")
@asset_bucket_option
def lambda_deploy(project: str, bucket: str, region: str, memory: int, timeout: int, disk: int,
                  arch: str, expire_days: int, reserved: int | None,
                  asset_buckets: tuple[str, ...]) -> None:
    """Create or update the bucket, role, repository, image and function (idempotent)."""
    from parareel.aws.deploy import deploy
    from parareel.load import load_project

    load_project(project)
    result = deploy(_deploy_config(project, bucket, region, memory, timeout, disk, arch,
                                   expire_days, reserved, asset_buckets), log=click.echo)
    click.echo(result["arn"])


@lambda_group.command("remove")
@deployment_options("The deployment's bucket: kept, with its renders, unless --delete-bucket.")
@click.option("--delete-bucket", is_flag=True, help="Also delete the bucket and its renders.")
def lambda_remove(project: str, bucket: str, region: str, memory: int, timeout: int,
                  disk: int, arch: str, delete_bucket: bool) -> None:
    """Undo `lambda deploy` (the bucket is kept unless --delete-bucket)."""
    from parareel.aws.deploy import remove

    remove(_deploy_config(project, bucket, region, memory, timeout, disk, arch),
           log=click.echo, delete_bucket=delete_bucket)


@lambda_group.command("policies")
@deployment_options("The bucket the policies grant access to.")
@click.option("--account", default="ACCOUNT_ID", show_default=True, help="AWS account id.")
@asset_bucket_option
def lambda_policies(project: str, bucket: str, region: str, memory: int, timeout: int,
                    disk: int, arch: str, account: str, asset_buckets: tuple[str, ...]) -> None:
    """Print the function role's policy and the policy a deploying user needs."""
    from parareel.aws.deploy import function_name
    from parareel.aws.policies import deployer_policy, function_policy

    function = function_name(memory, disk, timeout, project, bucket)
    click.echo("# the function's role")
    click.echo(json.dumps(function_policy(bucket, function, region, account, asset_buckets),
                          indent=2))
    click.echo("# the user who deploys and renders")
    click.echo(json.dumps(deployer_policy(bucket, region, account), indent=2))
