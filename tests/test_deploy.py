"""`lambda deploy` / `remove` against moto's in-process AWS.

Only the control plane (S3 bucket settings, IAM, ECR, Lambda create/update) is mocked
here, since it cannot run on this machine; building and pushing the image is replaced
by a recorder (the image itself is checked by deploy/image-check.sh). cfn-lint checks
the CloudFormation template.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from moto import mock_aws

from parareel.aws.deploy import Aws, DeployConfig, deploy, function_name, remove
from parareel.aws.policies import function_policy
from parareel.errors import ParareelError

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def aws(monkeypatch):
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": "eu-west-1"}.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_LAMBDA", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    with mock_aws():
        yield Aws("eu-west-1")


def config(tmp_path, **changes) -> DeployConfig:
    (tmp_path / "video.py").write_text("# the user's project\n")
    return DeployConfig(**{"project": "video.py", "bucket": "my-renders", "region": "eu-west-1",
                           "context": tmp_path, **changes})


class Pushes:
    def __init__(self) -> None:
        self.images: list[str] = []

    def __call__(self, config, image, aws, log) -> None:
        self.images.append(image)


def test_deploy_creates_each_resource_once_and_is_idempotent(aws, tmp_path):
    pushes, lines = Pushes(), []
    cfg = config(tmp_path)
    first = deploy(cfg, aws, lines.append, pushes)
    assert first["function"] == function_name(2048, 2048, 900, "video.py", "my-renders") \
        == cfg.function
    assert "parareel-0-1-0-" in cfg.function
    assert [b["Name"] for b in aws.s3.list_buckets()["Buckets"]] == ["my-renders"]
    assert len(aws.iam.list_roles()["Roles"]) == 1
    assert len(aws.ecr.describe_repositories()["repositories"]) == 1
    assert len(aws.lam.list_functions()["Functions"]) == 1 and len(pushes.images) == 1
    assert any("created" in line for line in lines)

    lines.clear()
    second = deploy(cfg, aws, lines.append, pushes)
    assert second == first and len(pushes.images) == 1  # nothing rebuilt
    assert not any(w in line for line in lines for w in ("created", "updated", "set", "new"))
    assert len(aws.lam.list_functions()["Functions"]) == 1

    (tmp_path / "video.py").write_text("# changed\n")  # a changed project: a new image
    third = deploy(cfg, aws, lines.append, pushes)
    assert len(pushes.images) == 2 and third["image"] != first["image"]


def test_bucket_is_private_and_renders_expire(aws, tmp_path):
    deploy(config(tmp_path, expire_days=3), aws, lambda _: None, Pushes())
    block = aws.s3.get_public_access_block(Bucket="my-renders")["PublicAccessBlockConfiguration"]
    assert all(block.values()) and len(block) == 4
    rules = aws.s3.get_bucket_lifecycle_configuration(Bucket="my-renders")["Rules"]
    assert rules == [{"ID": f"parareel-expire-{prefix.split('/')[0]}", "Status": "Enabled",
                      "Filter": {"Prefix": prefix}, "Expiration": {"Days": 3}}
                     for prefix in ("renders/", "jobs/", "cache/blocks/")]
    owner = aws.s3.get_bucket_ownership_controls(Bucket="my-renders")["OwnershipControls"]
    assert owner["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    sse = aws.s3.get_bucket_encryption(Bucket="my-renders")["ServerSideEncryptionConfiguration"]
    assert sse["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    policy = json.loads(aws.s3.get_bucket_policy(Bucket="my-renders")["Policy"])
    deny, = policy["Statement"]
    assert deny["Effect"] == "Deny" and deny["Condition"] == {
        "Bool": {"aws:SecureTransport": "false"}}


def test_role_has_exactly_the_least_privilege_policy(aws, tmp_path):
    cfg = config(tmp_path)
    deploy(cfg, aws, lambda _: None, Pushes())
    role = aws.iam.get_role(RoleName=cfg.role)["Role"]
    trust = role["AssumeRolePolicyDocument"]
    assert trust["Statement"][0]["Principal"] == {"Service": "lambda.amazonaws.com"}
    names = aws.iam.list_role_policies(RoleName=cfg.role)["PolicyNames"]
    assert names == ["parareel"]
    attached = aws.iam.list_attached_role_policies(RoleName=cfg.role)["AttachedPolicies"]
    assert attached == []
    document = aws.iam.get_role_policy(RoleName=cfg.role, PolicyName="parareel")["PolicyDocument"]
    account = aws.account
    assert document == function_policy("my-renders", cfg.function, "eu-west-1", account)
    actions = {a for s in document["Statement"] for a in
               ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}
    assert actions == {"s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket",
                       "lambda:InvokeFunction", "logs:CreateLogGroup", "logs:CreateLogStream",
                       "logs:PutLogEvents"}
    assert all("*" not in json.dumps(s["Resource"]).replace("renders/*", "")
               .replace("jobs/*", "").replace("cache/blocks/*", "").replace(":*", "")
               for s in document["Statement"])


def test_asset_buckets_are_readable_by_the_role_and_allowed_by_the_function(aws, tmp_path):
    cfg = config(tmp_path, asset_buckets=("brand-media", "shared/logos/"))
    deploy(cfg, aws, lambda _: None, Pushes())
    document = aws.iam.get_role_policy(RoleName=cfg.role, PolicyName="parareel")["PolicyDocument"]
    reads, = [s for s in document["Statement"] if s["Sid"] == "Assets"]
    assert reads["Action"] == "s3:GetObject" and reads["Resource"] == [
        "arn:aws:s3:::brand-media/*", "arn:aws:s3:::shared/logos/*"]
    env = aws.lam.get_function(FunctionName=cfg.function)["Configuration"]["Environment"]
    from parareel.aws.settings import Settings

    policy = Settings.from_env({**env["Variables"], "AWS_LAMBDA_FUNCTION_NAME": "f"}).assets
    assert policy.confined and policy.buckets == ("brand-media", "shared/logos")


def test_function_configuration(aws, tmp_path):
    cfg = config(tmp_path, memory=3008, timeout=600, disk=4096, arch="arm64")
    deploy(cfg, aws, lambda _: None, Pushes())
    conf = aws.lam.get_function(FunctionName=cfg.function)["Configuration"]
    assert (conf["MemorySize"], conf["Timeout"], conf["EphemeralStorage"]["Size"]) == \
        (3008, 600, 4096)
    assert conf["Architectures"] == ["arm64"] and conf["PackageType"] == "Image"
    assert conf["Environment"]["Variables"] == {"PARAREEL_PROJECT": "video.py",
                                                "PARAREEL_BUCKET": "my-renders",
                                                "PARAREEL_ARCH": "arm64"}


def test_reserved_concurrency_is_set_when_asked(aws, tmp_path):
    cfg = config(tmp_path, reserved=50)
    deploy(cfg, aws, lambda _: None, Pushes())
    reserved = aws.lam.get_function_concurrency(FunctionName=cfg.function)
    assert reserved["ReservedConcurrentExecutions"] == 50
    plain = config(tmp_path, bucket="other-renders")
    deploy(plain, aws, lambda _: None, Pushes())
    assert "ReservedConcurrentExecutions" not in aws.lam.get_function_concurrency(
        FunctionName=plain.function)
    with pytest.raises(ParareelError, match="at least 2"):
        config(tmp_path, reserved=1)


def test_remove_undoes_deploy_and_keeps_the_bucket(aws, tmp_path):
    cfg = config(tmp_path)
    deploy(cfg, aws, lambda _: None, Pushes())
    lines: list[str] = []
    remove(cfg, aws, lines.append)
    assert aws.lam.list_functions()["Functions"] == []
    assert aws.iam.list_roles()["Roles"] == []
    assert aws.ecr.describe_repositories()["repositories"] == []
    assert [b["Name"] for b in aws.s3.list_buckets()["Buckets"]] == ["my-renders"]
    remove(cfg, aws, lines.append, delete_bucket=True)  # twice is fine, and drops the bucket
    assert aws.s3.list_buckets()["Buckets"] == []
    assert any("not there" in line for line in lines)


def test_deployments_of_other_projects_or_buckets_never_repoint_each_other(aws, tmp_path):
    pushes = Pushes()
    first = config(tmp_path)
    deploy(first, aws, lambda _: None, pushes)
    other_bucket = config(tmp_path, bucket="b" * 63)  # a long name: roles are never cut
    (tmp_path / "other.py").write_text("# another project\n")
    other_project = config(tmp_path, project="other.py")
    for cfg in (other_bucket, other_project):
        deploy(cfg, aws, lambda _: None, pushes)
    configs = (first, other_bucket, other_project)
    assert len({c.function for c in configs}) == len({c.role for c in configs}) == 3
    assert all(len(c.role) <= 64 and len(c.function) <= 64 for c in configs)
    env = aws.lam.get_function(FunctionName=first.function)["Configuration"]["Environment"]
    assert env["Variables"]["PARAREEL_BUCKET"] == "my-renders"  # still the first's
    assert env["Variables"]["PARAREEL_PROJECT"] == "video.py"
    remove(other_project, aws, lambda _: None)
    assert aws.lam.get_function(FunctionName=first.function)  # untouched by the other's removal
    assert aws.ecr.describe_repositories(repositoryNames=[first.repository])


# What each API call of deploy and remove needs in IAM, where the names differ.
IAM_ACTION = {"s3:HeadBucket": "s3:ListBucket", "s3:ListObjectsV2": "s3:ListBucket",
              "s3:ListBuckets": "s3:ListAllMyBuckets", "s3:DeleteObjects": "s3:DeleteObject",
              "s3:GetPublicAccessBlock": "s3:GetBucketPublicAccessBlock",
              "s3:PutPublicAccessBlock": "s3:PutBucketPublicAccessBlock",
              "s3:GetBucketLifecycleConfiguration": "s3:GetLifecycleConfiguration",
              "s3:PutBucketLifecycleConfiguration": "s3:PutLifecycleConfiguration",
              "s3:GetBucketEncryption": "s3:GetEncryptionConfiguration",
              "s3:PutBucketEncryption": "s3:PutEncryptionConfiguration"}
NEEDS_NOTHING = {"sts:GetCallerIdentity"}  # allowed to every identity


def test_the_deployer_policy_allows_every_call_deploy_and_remove_make(aws, tmp_path):
    from parareel.aws.policies import deployer_policy

    calls: set[str] = set()

    def record(model, **_):
        metadata = model.service_model.metadata
        prefix = metadata.get("signingName") or metadata["endpointPrefix"]
        calls.add(f"{prefix}:{model.name}")

    for client in (aws.s3, aws.iam, aws.ecr, aws.lam):
        client.meta.events.register("before-call", record)
    cfg = config(tmp_path, reserved=20)
    deploy(cfg, aws, lambda _: None, Pushes())
    deploy(cfg, aws, lambda _: None, Pushes())  # the second run reads what the first made
    remove(cfg, aws, lambda _: None, delete_bucket=True)
    allowed = set(NEEDS_NOTHING)
    for statement in deployer_policy("my-renders", "eu-west-1", "1")["Statement"]:
        actions = statement["Action"]
        allowed |= {actions} if isinstance(actions, str) else set(actions)
    needed = {IAM_ACTION.get(c, c) for c in calls}
    assert "iam:PutRolePolicy" in needed and "lambda:CreateFunction" in needed  # recorded
    assert needed <= allowed, needed - allowed


def test_the_image_gets_the_project_but_not_its_dotfiles(aws, tmp_path, monkeypatch):
    import parareel.aws.image as imaging

    (tmp_path / ".env").write_text("AWS_SECRET_ACCESS_KEY=hunter2\n")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text("[core]\n")
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "clip.mp4").write_bytes(b"video")
    copied: dict[str, set[str]] = {}

    def run(step, **kwargs):
        if step[1] == "build":
            context = Path(step[-1])
            copied["project" if "PROJECT=video.py" in step else "runtime"] = {
                p.relative_to(context).as_posix() for p in context.rglob("*") if p.is_file()}
        return subprocess.CompletedProcess(step, 0)

    monkeypatch.setattr(imaging.subprocess, "run", run)
    monkeypatch.setattr(imaging.shutil, "which", lambda name: f"/usr/bin/{name}")
    deploy(config(tmp_path), aws, lambda _: None)  # the real build_and_push, tools faked
    assert copied["project"] == {"video.py", "media/clip.mp4"}
    # the runtime is built from the installed package: no checkout needed
    runtime = copied["runtime"]
    assert {"Dockerfile.base", "requirements.txt", "parareel/__init__.py",
            "parareel/aws/handler.py", "parareel/worker.py"} <= runtime
    assert not any("__pycache__" in name or name.endswith(".pyc") for name in runtime)


def test_the_runtime_requirements_are_the_installed_ones_with_aws():
    from parareel.aws.image import runtime_requirements

    wanted = runtime_requirements()
    names = {r.split(">")[0].split("=")[0].split("[")[0].strip().lower() for r in wanted}
    assert {"skia-python", "av", "numpy", "opencv-python-headless", "boto3"} <= names
    assert not names & {"ray", "pytest", "moto", "pdoc"}  # other extras stay out


def test_bad_settings_are_refused(tmp_path):
    with pytest.raises(ParareelError, match="arch must be"):
        config(tmp_path, arch="sparc")
    with pytest.raises(ParareelError, match="timeout 1-900"):
        config(tmp_path, timeout=3600)


def test_cloudformation_template_passes_cfn_lint():
    cfn_lint = Path(sys.executable).parent / "cfn-lint"
    result = subprocess.run([str(cfn_lint), str(ROOT / "deploy" / "template.yaml")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_template_matches_the_deploy_command():
    text = (ROOT / "deploy" / "template.yaml").read_text()
    # the same name but its hash, which a stack is given with its project and bucket
    name = function_name(2048, 2048, 900, "video.py", "my-renders")
    assert f"Default: {name.rsplit('-', 1)[0]}" in text
    assert "parareel-expire-renders" in text and "RestrictPublicBuckets: true" in text
