"""`parareel lambda deploy` / `remove`: one command from `pip install` to a private deployment.

Every step looks before it acts, so running deploy again changes nothing that is
already right, and says so: a private bucket whose renders/ expire, a least-privilege
role, an ECR repository, the image, and the function.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from parareel.aws.image import build_and_push, project_files
from parareel.aws.policies import TRUST_LAMBDA, function_policy, tls_only_policy
from parareel.errors import ParareelError
from parareel.storage.keys import EXPIRING
from parareel.version import __version__

VERSION_SLUG = __version__.replace(".", "-")
Log = Callable[[str], None]


def function_name(memory: int, disk: int, timeout: int, project: str, bucket: str) -> str:
    """Named after the parareel version, its size, and a hash of its project and bucket:
    a client of one version never talks to another's function, and deploying another
    project or bucket never repoints this one."""
    digest = hashlib.sha256(f"{project}\0{bucket}".encode()).hexdigest()[:8]
    return f"parareel-{VERSION_SLUG}-mem{memory}mb-disk{disk}mb-{timeout}sec-{digest}"


@dataclass
class DeployConfig:
    project: str  # module:attr or a .py path, relative to `context`
    bucket: str
    region: str
    memory: int = 2048
    timeout: int = 900
    disk: int = 2048
    arch: str = "x86_64"
    expire_days: int = 7
    # concurrent invocations kept for this function, and its most: one render's burst
    # then neither starves other functions nor is starved by them (None: no reservation)
    reserved: int | None = None
    # what s3:// assets may be read from ("bucket" or "bucket/prefix"): the role may read
    # them and the asset policy allows them (never its PROTECTED prefixes)
    asset_buckets: tuple[str, ...] = ()
    context: Path = field(default_factory=Path.cwd)  # the folder copied into the image

    def __post_init__(self) -> None:
        if self.arch not in ("x86_64", "arm64"):
            raise ParareelError(f"arch must be x86_64 or arm64, not {self.arch!r}")
        if not 128 <= self.memory <= 10240 or not 1 <= self.timeout <= 900 or \
                not 512 <= self.disk <= 10240:
            raise ParareelError("memory must be 128-10240 MB, timeout 1-900 s, disk 512-10240 MB")
        if self.reserved is not None and self.reserved < 2:
            raise ParareelError("reserved concurrency must be at least 2: the main invocation "
                                "and one chunk (with 1 the main renders every chunk itself)")

    @property
    def function(self) -> str:
        return function_name(self.memory, self.disk, self.timeout, self.project, self.bucket)

    @property
    def role(self) -> str:
        """One role per function (at most 58 characters: never cut, never shared)."""
        return f"{self.function}-role"

    @property
    def repository(self) -> str:
        """One repository per function: removing one deployment keeps the others' images."""
        return self.function


class Aws:
    """The boto3 clients a deployment uses (moto's in-process AWS in the tests)."""

    def __init__(self, region: str) -> None:
        import boto3
        from botocore.exceptions import BotoCoreError, ClientError

        session = boto3.session.Session(region_name=region)
        self.s3, self.iam = session.client("s3"), session.client("iam")
        self.ecr, self.lam = session.client("ecr"), session.client("lambda")
        try:
            self.account = session.client("sts").get_caller_identity()["Account"]
        except (BotoCoreError, ClientError) as exc:
            raise ParareelError(f"cannot use AWS: {exc}. Configure credentials "
                                "(aws configure, AWS_PROFILE or AWS_ACCESS_KEY_ID)") from None


def deploy(config: DeployConfig, aws: Aws | None = None, log: Log = print,
           push: Callable[[DeployConfig, str, Aws, Log], None] = build_and_push) -> dict:
    """Create or update everything; return the function's name and ARN."""
    aws = aws or Aws(config.region)
    _bucket(config, aws, log)
    role_arn = _role(config, aws, log)
    repository_uri = _repository(config, aws, log)
    image = f"{repository_uri}:{_image_tag(config)}"
    arn = _function(config, aws, log, role_arn, image, push)
    if config.reserved is not None:
        aws.lam.put_function_concurrency(FunctionName=config.function,
                                         ReservedConcurrentExecutions=config.reserved)
        log(f"function {config.function}: {config.reserved} concurrent invocations reserved")
    log(f"ready: parareel lambda render --function {config.function} --bucket {config.bucket}")
    return {"function": config.function, "arn": arn, "image": image, "bucket": config.bucket}


def _bucket(config: DeployConfig, aws: Aws, log: Log) -> None:
    try:  # HeadBucket needs only s3:ListBucket on this bucket, not on all of them
        aws.s3.head_bucket(Bucket=config.bucket)
        log(f"bucket {config.bucket}: exists")
    except aws.s3.exceptions.ClientError as error:
        if error.response.get("Error", {}).get("Code") not in ("404", "NoSuchBucket"):
            raise ParareelError(f"bucket {config.bucket!r} cannot be used ({error}): it may "
                                "belong to another account; name another") from error
        extra = ({} if config.region == "us-east-1" else
                 {"CreateBucketConfiguration": {"LocationConstraint": config.region}})
        aws.s3.create_bucket(Bucket=config.bucket, **extra)
        log(f"bucket {config.bucket}: created")
    block = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
             "RestrictPublicBuckets": True}
    try:
        current = aws.s3.get_public_access_block(Bucket=config.bucket)
        current = current["PublicAccessBlockConfiguration"]
    except aws.s3.exceptions.ClientError:
        current = None
    if current != block:
        aws.s3.put_public_access_block(Bucket=config.bucket, PublicAccessBlockConfiguration=block)
        log(f"bucket {config.bucket}: public access blocked")
    _harden(config, aws, log)
    ours = [{"ID": f"parareel-expire-{prefix.split('/')[0]}", "Status": "Enabled",
             "Filter": {"Prefix": prefix}, "Expiration": {"Days": config.expire_days}}
            for prefix in EXPIRING]
    try:
        rules = aws.s3.get_bucket_lifecycle_configuration(Bucket=config.bucket)["Rules"]
    except aws.s3.exceptions.ClientError:
        rules = []
    if any(rule not in rules for rule in ours):
        others = [r for r in rules if r.get("ID") not in {rule["ID"] for rule in ours}]
        aws.s3.put_bucket_lifecycle_configuration(
            Bucket=config.bucket, LifecycleConfiguration={"Rules": [*others, *ours]})
        log(f"bucket {config.bucket}: {', '.join(EXPIRING)} expire after "
            f"{config.expire_days} days")


def _harden(config: DeployConfig, aws: Aws, log: Log) -> None:
    """Objects owned by the bucket's account (no ACLs), encrypted at rest, TLS only."""
    bucket, missing = config.bucket, aws.s3.exceptions.ClientError

    def current(read, *path):
        try:
            value = read(Bucket=bucket)
        except missing:
            return None
        for key in path:
            value = value[key]
        return value

    owner = {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    if current(aws.s3.get_bucket_ownership_controls, "OwnershipControls") != owner:
        aws.s3.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls=owner)
        log(f"bucket {bucket}: owner enforced (ACLs off)")
    sse = {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]}
    found = current(aws.s3.get_bucket_encryption, "ServerSideEncryptionConfiguration")
    if not found or found["Rules"][0]["ApplyServerSideEncryptionByDefault"] != \
            sse["Rules"][0]["ApplyServerSideEncryptionByDefault"]:
        aws.s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration=sse)
        log(f"bucket {bucket}: encrypted at rest by default")
    policy = tls_only_policy(bucket)
    found = current(aws.s3.get_bucket_policy, "Policy")
    if found is None or json.loads(found) != policy:
        aws.s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
        log(f"bucket {bucket}: TLS-only access")


def _role(config: DeployConfig, aws: Aws, log: Log) -> str:
    policy = function_policy(config.bucket, config.function, config.region, aws.account,
                             config.asset_buckets)
    try:
        arn = aws.iam.get_role(RoleName=config.role)["Role"]["Arn"]
        log(f"role {config.role}: exists")
    except aws.iam.exceptions.NoSuchEntityException:
        arn = aws.iam.create_role(RoleName=config.role,
                                  AssumeRolePolicyDocument=json.dumps(TRUST_LAMBDA))["Role"]["Arn"]
        log(f"role {config.role}: created")
    try:
        current = aws.iam.get_role_policy(RoleName=config.role, PolicyName="parareel")
        current = current["PolicyDocument"]
        current = json.loads(current) if isinstance(current, str) else current
    except aws.iam.exceptions.NoSuchEntityException:
        current = None
    if current != policy:
        aws.iam.put_role_policy(RoleName=config.role, PolicyName="parareel",
                                PolicyDocument=json.dumps(policy))
        log(f"role {config.role}: least-privilege policy set")
    return arn


def _repository(config: DeployConfig, aws: Aws, log: Log) -> str:
    try:
        repo = aws.ecr.describe_repositories(repositoryNames=[config.repository])
        log(f"repository {config.repository}: exists")
        return repo["repositories"][0]["repositoryUri"]
    except aws.ecr.exceptions.RepositoryNotFoundException:
        repo = aws.ecr.create_repository(repositoryName=config.repository,
                                         imageScanningConfiguration={"scanOnPush": True})
        log(f"repository {config.repository}: created")
        return repo["repository"]["repositoryUri"]


def _image_tag(config: DeployConfig) -> str:
    """A tag that changes when the project's files, parareel or the target change."""
    digest = hashlib.sha256(f"{__version__}|{config.arch}|{config.project}".encode())
    for path in project_files(Path(config.context)):
        digest.update(str(path.relative_to(config.context)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _function(config: DeployConfig, aws: Aws, log: Log, role_arn: str, image: str,
              push) -> str:
    settings = {
        "Role": role_arn, "MemorySize": config.memory, "Timeout": config.timeout,
        "EphemeralStorage": {"Size": config.disk},
        "Environment": {"Variables": {"PARAREEL_PROJECT": config.project,
                                      "PARAREEL_BUCKET": config.bucket,
                                      "PARAREEL_ARCH": config.arch,
                                      **({"PARAREEL_ASSET_BUCKETS": ",".join(
                                          config.asset_buckets)} if config.asset_buckets
                                         else {})}},
    }
    try:
        current = aws.lam.get_function(FunctionName=config.function)
    except aws.lam.exceptions.ResourceNotFoundException:
        current = None
    if current is None or current["Code"].get("ImageUri") != image:
        log(f"image {image}: building and pushing")
        push(config, image, aws, log)
    if current is None:
        for attempt in range(10):  # a new role takes a few seconds to be assumable
            try:
                arn = aws.lam.create_function(
                    FunctionName=config.function, PackageType="Image", Code={"ImageUri": image},
                    Architectures=[config.arch], **settings)["FunctionArn"]
                break
            except aws.lam.exceptions.InvalidParameterValueException:
                if attempt == 9:
                    raise
                time.sleep(3)
        log(f"function {config.function}: created")
        return arn
    conf = current["Configuration"]
    if current["Code"].get("ImageUri") != image:
        aws.lam.update_function_code(FunctionName=config.function, ImageUri=image)
        log(f"function {config.function}: new image")
        _wait_updated(aws, config.function)
    wanted = {"Role": role_arn, "MemorySize": config.memory, "Timeout": config.timeout,
              "EphemeralStorage": {"Size": config.disk},
              "Environment": settings["Environment"]}
    have = {k: conf.get(k) for k in wanted}
    if have != wanted:
        aws.lam.update_function_configuration(FunctionName=config.function, **settings)
        log(f"function {config.function}: configuration updated")
    else:
        log(f"function {config.function}: up to date")
    return conf["FunctionArn"]


def _wait_updated(aws: Aws, function: str) -> None:
    for _ in range(60):
        status = aws.lam.get_function(FunctionName=function)["Configuration"]
        if status.get("LastUpdateStatus", "Successful") != "InProgress":
            return
        time.sleep(2)


def remove(config: DeployConfig, aws: Aws | None = None, log: Log = print,
           delete_bucket: bool = False) -> None:
    """Undo `deploy`. The bucket (with its renders) is kept unless `delete_bucket`."""
    aws = aws or Aws(config.region)
    try:
        aws.lam.delete_function(FunctionName=config.function)
        log(f"function {config.function}: deleted")
    except aws.lam.exceptions.ResourceNotFoundException:
        log(f"function {config.function}: not there")
    try:
        aws.iam.delete_role_policy(RoleName=config.role, PolicyName="parareel")
        aws.iam.delete_role(RoleName=config.role)
        log(f"role {config.role}: deleted")
    except aws.iam.exceptions.NoSuchEntityException:
        log(f"role {config.role}: not there")
    try:
        aws.ecr.delete_repository(repositoryName=config.repository, force=True)
        log(f"repository {config.repository}: deleted")
    except aws.ecr.exceptions.RepositoryNotFoundException:
        log(f"repository {config.repository}: not there")
    if delete_bucket:
        from parareel.storage.s3 import S3Storage

        S3Storage(config.bucket, client=aws.s3).delete_prefix("")
        aws.s3.delete_bucket(Bucket=config.bucket)
        log(f"bucket {config.bucket}: deleted")
    else:
        log(f"bucket {config.bucket}: kept (renders expire by themselves; "
            "--delete-bucket removes it)")
