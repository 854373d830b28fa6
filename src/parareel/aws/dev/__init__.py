"""The local AWS-compatible dev stack: SeaweedFS for S3, parareel's own Lambda endpoint.

    stack = DevStack(folder, project="examples/hello/project.py").start()
    os.environ.update(stack.env)    # boto3 now talks to the local servers
    ...
    stack.stop()
"""

from __future__ import annotations

import os
from pathlib import Path

from parareel.aws.dev.lambda_server import Function, LambdaServer
from parareel.aws.dev.seaweed import ACCESS_KEY, SECRET_KEY, SeaweedS3

REGION = "us-east-1"


class DevStack:
    def __init__(self, folder: str | os.PathLike, project: str, bucket: str = "parareel-dev",
                 function: str = "parareel", concurrency: int = 8, timeout: float = 900.0,
                 memory_mb: int = 2048, extra_env: dict[str, str] | None = None) -> None:
        self.folder = Path(folder).resolve()
        self.bucket, self.function_name = bucket, function
        self.s3 = SeaweedS3(self.folder / "s3")
        # assets: the stack's own bucket (its renders/ and jobs/ never), public addresses
        self.function = Function(function, env={"PARAREEL_PROJECT": project,
                                                "PARAREEL_BUCKET": bucket,
                                                "PARAREEL_ASSET_BUCKETS": bucket,
                                                **(extra_env or {})},
                                 memory_mb=memory_mb, timeout=timeout, concurrency=concurrency)
        self.lambda_server: LambdaServer | None = None

    @property
    def env(self) -> dict[str, str]:
        """The variables a client (or the handler) needs to use this stack."""
        env = {"AWS_ENDPOINT_URL_S3": self.s3.endpoint, "AWS_ACCESS_KEY_ID": ACCESS_KEY,
               "AWS_SECRET_ACCESS_KEY": SECRET_KEY, "AWS_REGION": REGION,
               "AWS_DEFAULT_REGION": REGION, "PARAREEL_BUCKET": self.bucket}
        if self.lambda_server:
            env["AWS_ENDPOINT_URL_LAMBDA"] = self.lambda_server.endpoint
        return env

    def start(self) -> DevStack:
        import boto3

        self.s3.start()
        try:
            client = boto3.client("s3", endpoint_url=self.s3.endpoint, region_name=REGION,
                                  aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY)
            existing = {b["Name"] for b in client.list_buckets().get("Buckets", [])}
            if self.bucket not in existing:
                client.create_bucket(Bucket=self.bucket)
            self.lambda_server = LambdaServer([self.function], self.folder / "lambda",
                                              base_env={**os.environ, **self.env})
            # the environments reach this endpoint too, to invoke their own function
            self.lambda_server.base_env["AWS_ENDPOINT_URL_LAMBDA"] = self.lambda_server.endpoint
            self.lambda_server.start()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self.lambda_server:
            self.lambda_server.stop()
        self.s3.stop()

    def __enter__(self) -> DevStack:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
