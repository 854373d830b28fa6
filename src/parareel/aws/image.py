"""The function's image: the parareel runtime (Dockerfile.base), then the user's project
on top (Dockerfile), built with docker or podman and pushed to ECR.

Both Dockerfiles ship inside the package, and the runtime's build context is made
from the installed package itself, so a `pip install` deploys as well as a checkout.

    python -m parareel.aws.image FOLDER    # write the runtime's build context there
"""

from __future__ import annotations

import base64
import importlib.metadata
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from parareel.errors import ParareelError
from parareel.version import __version__

if TYPE_CHECKING:
    from parareel.aws.deploy import Aws, DeployConfig

DOCKERFILES = Path(__file__).resolve().parent / "dockerfiles"
PACKAGE = Path(__file__).resolve().parents[1]  # the installed parareel package
Log = Callable[[str], None]


def runtime_requirements() -> list[str]:
    """What parareel was installed with, and its `aws` extra: the runtime's pip install."""
    wanted = []
    for requirement in importlib.metadata.requires("parareel") or []:
        name, _, marker = requirement.partition(";")
        marker = marker.replace(" ", "").replace("'", '"')
        if not marker or marker == 'extra=="aws"':
            wanted.append(name.strip())
    return wanted


def runtime_context(folder: Path) -> Path:
    """Write the runtime image's build context: its Dockerfile, the requirements and the
    parareel package (no caches, no build leftovers)."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy2(DOCKERFILES / "Dockerfile.base", folder / "Dockerfile.base")
    (folder / "requirements.txt").write_text("\n".join(runtime_requirements()) + "\n")
    shutil.copytree(PACKAGE, folder / "parareel", dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "dockerfiles"))
    return folder


def project_files(context: Path) -> list[Path]:
    """What goes into the image: the folder's files but dotfiles and dot-folders (.env,
    .git, .aws: secrets stay out) and __pycache__."""
    return [path for path in sorted(context.rglob("*"))
            if path.is_file() and "__pycache__" not in path.parts
            and not any(part.startswith(".") for part in path.relative_to(context).parts)]


@contextmanager
def staged(context: Path) -> Iterator[tuple[Path, Path]]:
    """Build contexts in a temporary folder: (the runtime's, a copy of the project's
    files)."""
    with tempfile.TemporaryDirectory(prefix="parareel-image-") as folder:
        project = Path(folder) / "project"
        for path in project_files(context):
            target = project / path.relative_to(context)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
        project.mkdir(exist_ok=True)
        yield runtime_context(Path(folder) / "runtime"), project


def build_and_push(config: DeployConfig, image: str, aws: Aws, log: Log) -> None:
    """Build the runtime and project images with docker or podman, and push the latter."""
    tool = shutil.which("docker") or shutil.which("podman")
    if not tool:
        raise ParareelError("neither docker nor podman is installed: one is needed to build "
                            "the image (or deploy deploy/template.yaml with SAM)")
    platform = "linux/amd64" if config.arch == "x86_64" else "linux/arm64"
    base = f"parareel-base:{__version__}-{config.arch}"
    token = aws.ecr.get_authorization_token()["authorizationData"][0]
    user, password = base64.b64decode(token["authorizationToken"]).decode().split(":", 1)
    registry = token["proxyEndpoint"].removeprefix("https://")
    with staged(Path(config.context)) as (runtime, project):
        steps = [
            [tool, "build", "--platform", platform, "-t", base, "-f",
             str(runtime / "Dockerfile.base"), str(runtime)],
            [tool, "build", "--platform", platform, "-t", image, "-f",
             str(DOCKERFILES / "Dockerfile"), "--build-arg", f"BASE={base}",
             "--build-arg", f"PROJECT={config.project}", str(project)],
            [tool, "login", "--username", user, "--password-stdin", registry],
            [tool, "push", image],
        ]
        for step in steps:
            log(f"  $ {' '.join(step[:3])} ...")
            subprocess.run(step, check=True, input=password if "login" in step else None,
                           text=True)


if __name__ == "__main__":
    print(runtime_context(Path(sys.argv[1])))
