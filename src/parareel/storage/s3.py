"""Storage in an S3 bucket through boto3.

Endpoints and credentials come from boto3's own settings (AWS_ENDPOINT_URL_S3,
AWS_ACCESS_KEY_ID, ...), so the same code talks to AWS and to a local S3 server.
Large files go up in parallel multipart uploads; transient errors are retried by
botocore's standard retry mode.
"""

from __future__ import annotations

import os
from functools import cached_property

from parareel.errors import StorageError

RETRIES = 8
MULTIPART_THRESHOLD = 16 * 1024 * 1024


class S3Storage:
    def __init__(self, bucket: str, prefix: str = "", client=None) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.url = f"s3://{bucket}/{self.prefix}".rstrip("/")
        if client is not None:
            self.client = client

    @cached_property
    def client(self):
        import boto3
        from botocore.config import Config

        config = Config(retries={"mode": "standard", "max_attempts": RETRIES},
                        connect_timeout=10, read_timeout=120, signature_version="s3v4")
        region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
        return boto3.client("s3", config=config, region_name=region)

    @cached_property
    def _transfer(self):
        from boto3.s3.transfer import TransferConfig

        return TransferConfig(multipart_threshold=MULTIPART_THRESHOLD,
                              multipart_chunksize=MULTIPART_THRESHOLD, max_concurrency=8)

    def key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def put_file(self, path: str | os.PathLike, key: str) -> None:
        with self._errors(key):
            self.client.upload_file(str(path), self.bucket, self.key(key), Config=self._transfer)

    def get_file(self, key: str, path: str | os.PathLike) -> None:
        with self._errors(key):
            self.client.download_file(self.bucket, self.key(key), str(path),
                                      Config=self._transfer)

    def put_bytes(self, key: str, data: bytes, content_type: str = "application/json") -> None:
        with self._errors(key):
            self.client.put_object(Bucket=self.bucket, Key=self.key(key), Body=data,
                                   ContentType=content_type)

    def copy(self, source: str, key: str) -> None:
        """Copy the object at `source` (a whole key in this bucket) to `key`, by the server."""
        with self._errors(key):
            self.client.copy_object(Bucket=self.bucket, Key=self.key(key),
                                    CopySource={"Bucket": self.bucket, "Key": source})

    def get_bytes(self, key: str) -> bytes | None:
        with self._errors(key):
            try:
                return self.client.get_object(Bucket=self.bucket, Key=self.key(key))["Body"].read()
            except self.client.exceptions.NoSuchKey:
                return None

    # conditional writes: atomic on S3 and SeaweedFS, what claims are made of

    def create(self, key: str, data: bytes) -> bool:
        """Write `key` only if it does not exist; False if it does."""
        return self._put_if(key, data, IfNoneMatch="*")

    def read_tagged(self, key: str) -> tuple[bytes, str] | None:
        """The object and its ETag (for `replace_if`), or None."""
        with self._errors(key):
            try:
                answer = self.client.get_object(Bucket=self.bucket, Key=self.key(key))
            except self.client.exceptions.NoSuchKey:
                return None
            return answer["Body"].read(), answer["ETag"]

    def replace_if(self, key: str, data: bytes, etag: str) -> bool:
        """Write `key` only if it is still the version read with `etag`; False if not."""
        return self._put_if(key, data, IfMatch=etag)

    def _put_if(self, key: str, data: bytes, **condition: str) -> bool:
        from botocore.exceptions import ClientError

        with self._errors(key):
            try:
                self.client.put_object(Bucket=self.bucket, Key=self.key(key), Body=data,
                                       ContentType="application/json", **condition)
            except ClientError as error:
                if _code(error) in ("PreconditionFailed", "412", "ConditionalRequestConflict"):
                    return False
                raise
        return True

    def list_keys(self, prefix: str) -> list[str]:
        """The keys under `prefix` (relative to this storage's own prefix)."""
        found = []
        with self._errors(prefix):
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=self.key(prefix))
            for page in pages:
                found += [item["Key"] for item in page.get("Contents", [])]
        return found

    def delete_prefix(self, prefix: str) -> None:
        with self._errors(prefix):
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=self.key(prefix))
            for page in pages:
                keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
                if keys:
                    self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": keys})

    def link(self, key: str, expires: int = 3600) -> str:
        return self.client.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": self.key(key)}, ExpiresIn=expires)

    def public_url(self, key: str) -> str:
        """The object's plain URL (readable only if the bucket policy allows it)."""
        return f"{self.client.meta.endpoint_url}/{self.bucket}/{self.key(key)}"

    def _errors(self, key: str):
        return _Translate(self.bucket, self.key(key))


def _code(error) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


class _Translate:
    """Turn botocore's errors into StorageErrors that say what to do."""

    def __init__(self, bucket: str, key: str) -> None:
        self.bucket, self.key = bucket, key

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, error, tb) -> bool:
        if error is None or isinstance(error, StorageError):
            return False
        from botocore.exceptions import BotoCoreError, ClientError

        if isinstance(error, ClientError):
            code = _code(error)
            if code == "NoSuchBucket":
                raise StorageError(
                    f"bucket {self.bucket!r} does not exist: create it or name another "
                    "(PARAREEL_BUCKET, or s3://BUCKET/...)") from error
            if code in ("NoSuchKey", "404"):
                raise StorageError(f"s3://{self.bucket}/{self.key} does not exist") from error
            if code in ("AccessDenied", "403", "InvalidAccessKeyId", "SignatureDoesNotMatch"):
                raise StorageError(f"access to s3://{self.bucket}/{self.key} was refused "
                                   f"({code}): check the credentials and policy") from error
            raise StorageError(f"S3 error on s3://{self.bucket}/{self.key}: {error}") from error
        if isinstance(error, BotoCoreError):
            raise StorageError(f"cannot reach S3 for s3://{self.bucket}/{self.key}: "
                               f"{error}") from error
        return False
