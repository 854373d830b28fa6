#!/usr/bin/env bash
# Build the Lambda image from scratch and prove it works, on a machine with no Docker:
#   1. debootstrap a Debian bookworm root and import it as a local base image;
#   2. podman build --isolation chroot: the runtime (Dockerfile.base, from the context
#      `python -m parareel.aws.image` makes of the installed package, as `lambda deploy`
#      does), then the project image (Dockerfile) with the seed example (examples/seed:
#      a clip, music and text) as the project;
#   3. unpack the image and run tests/test_image.py, which starts the image's entry
#      point (awslambdaric) chrooted in it against a minimal Lambda Runtime API and
#      checks that it renders a chunk of the seed into a real S3 server.
# Needs root (debootstrap, chroot, mount). Run as `make image-check`.
set -euo pipefail
cd "$(dirname "$0")/.."
work=${IMAGE_CHECK_DIR:-.cache/image-check}
python=${PYTHON:-.venv/bin/python}
mkdir -p "$work"

need() { command -v "$1" >/dev/null || { apt-get update -q && apt-get install -y -q "$2"; }; }
need podman podman
need debootstrap debootstrap

if ! podman image exists localhost/parareel-debian:bookworm; then
  if [ ! -x "$work/rootfs/usr/bin/apt-get" ]; then
    rm -rf "$work/rootfs"
    debootstrap --variant=minbase --include=ca-certificates bookworm "$work/rootfs" \
      http://deb.debian.org/debian
  fi
  tar -C "$work/rootfs" -c . | podman import - localhost/parareel-debian:bookworm
fi

# A CA bundle for pip inside the build, where a TLS proxy re-signs PyPI (never copied in).
ca=${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}
started=$(date +%s)
runtime="$work/runtime"
rm -rf "$runtime" && "$python" -m parareel.aws.image "$runtime"
podman build --isolation chroot -f "$runtime/Dockerfile.base" \
  --build-arg BASE=localhost/parareel-debian:bookworm \
  --build-arg PYTHON_PACKAGES="python3 python3-venv" \
  --build-arg BUILD_CA=/build-ca.crt -v "$ca:/build-ca.crt:ro" \
  -t localhost/parareel-base:check "$runtime"
podman build --isolation chroot -f src/parareel/aws/dockerfiles/Dockerfile \
  --build-arg BASE=localhost/parareel-base:check \
  --build-arg PROJECT=examples/seed/project.py \
  -t localhost/parareel-seed:check .
echo "image-check: images built in $(( $(date +%s) - started ))s"
podman image inspect localhost/parareel-seed:check --format 'image-check: image size {{.Size}} bytes'

root="$work/image-root"
rm -rf "$root" && mkdir -p "$root"
container=$(podman create localhost/parareel-seed:check)
podman export "$container" | tar -C "$root" -x
podman rm "$container" >/dev/null
podman image inspect localhost/parareel-seed:check > "$work/image.json"

PARAREEL_IMAGE_ROOT="$(cd "$root" && pwd)" "$python" -m pytest -v -s tests/test_image.py
