"""Least-privilege IAM policies: the function's role, and what a deployer needs."""

from __future__ import annotations

from typing import Any

from parareel.storage.keys import CACHE, EXPIRING, RENDERS

TRUST_LAMBDA = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                   "Action": "sts:AssumeRole"}],
}


def function_policy(bucket: str, function: str, region: str, account: str,
                    asset_buckets: tuple[str, ...] = ()) -> dict[str, Any]:
    """The function may read and write its bucket's renders/, jobs/ and cache/, read the asset
    buckets (or bucket/prefix), invoke itself, and log."""
    function_arn = f"arn:aws:lambda:{region}:{account}:function:{function}"
    log_group = f"arn:aws:logs:{region}:{account}:log-group:/aws/lambda/{function}"
    assets = [{"Sid": "Assets", "Effect": "Allow", "Action": "s3:GetObject",
               "Resource": [f"arn:aws:s3:::{entry.strip('/')}/*" for entry in asset_buckets]}
              ] if asset_buckets else []
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "RenderObjects", "Effect": "Allow",
             "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
             "Resource": [f"arn:aws:s3:::{bucket}/{prefix}*" for prefix in EXPIRING]},
            *assets,
            {"Sid": "ListRenders", "Effect": "Allow", "Action": "s3:ListBucket",
             "Resource": f"arn:aws:s3:::{bucket}",
             "Condition": {"StringLike": {"s3:prefix": [f"{RENDERS}*", f"{CACHE}*"]}}},
            {"Sid": "FanOut", "Effect": "Allow", "Action": "lambda:InvokeFunction",
             "Resource": function_arn},
            {"Sid": "Logs", "Effect": "Allow",
             "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
             "Resource": [log_group, f"{log_group}:*"]},
        ],
    }


def tls_only_policy(bucket: str) -> dict[str, Any]:
    """The bucket's policy: any request not made over TLS is denied."""
    return {
        "Version": "2012-10-17",
        "Statement": [{"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                       "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
                       "Condition": {"Bool": {"aws:SecureTransport": "false"}}}],
    }


def deployer_policy(bucket: str, region: str, account: str) -> dict[str, Any]:
    """What the user running `parareel lambda deploy` / `remove` / `render` needs."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Bucket", "Effect": "Allow",
             "Action": ["s3:CreateBucket", "s3:DeleteBucket", "s3:PutBucketPublicAccessBlock",
                        "s3:GetBucketPublicAccessBlock", "s3:PutLifecycleConfiguration",
                        "s3:GetLifecycleConfiguration", "s3:ListBucket", "s3:GetObject",
                        "s3:DeleteObject", "s3:PutBucketOwnershipControls",
                        "s3:GetBucketOwnershipControls", "s3:PutEncryptionConfiguration",
                        "s3:GetEncryptionConfiguration", "s3:PutBucketPolicy",
                        "s3:GetBucketPolicy"],
             "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]},
            {"Sid": "Role", "Effect": "Allow",
             "Action": ["iam:CreateRole", "iam:GetRole", "iam:DeleteRole", "iam:PutRolePolicy",
                        "iam:GetRolePolicy", "iam:DeleteRolePolicy", "iam:PassRole"],
             "Resource": f"arn:aws:iam::{account}:role/parareel-*"},
            {"Sid": "Images", "Effect": "Allow",
             "Action": ["ecr:CreateRepository", "ecr:DescribeRepositories",
                        "ecr:DeleteRepository", "ecr:InitiateLayerUpload",
                        "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage",
                        "ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage",
                        "ecr:GetDownloadUrlForLayer"],
             "Resource": f"arn:aws:ecr:{region}:{account}:repository/parareel*"},
            {"Sid": "RegistryLogin", "Effect": "Allow", "Action": "ecr:GetAuthorizationToken",
             "Resource": "*"},
            {"Sid": "Function", "Effect": "Allow",
             "Action": ["lambda:CreateFunction", "lambda:GetFunction", "lambda:DeleteFunction",
                        "lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration",
                        "lambda:PutFunctionConcurrency", "lambda:InvokeFunction"],
             "Resource": f"arn:aws:lambda:{region}:{account}:function:parareel-*"},
        ],
    }
