"""The function's configuration, read from its environment."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from parareel.assets.policy import AssetPolicy
from parareel.errors import ParareelError


@dataclass(frozen=True)
class Settings:
    project: str  # PARAREEL_PROJECT: module:attr or a .py path inside the image
    bucket: str  # PARAREEL_BUCKET
    function: str  # AWS_LAMBDA_FUNCTION_NAME: the function invokes itself
    memory_mb: int = 2048
    arch: str = "x86_64"
    max_workers: int = 200
    max_in_flight: int = 100
    retries: int = 3
    faults_enabled: bool = False  # PARAREEL_TEST_FAULTS=1 lets events inject faults
    # what renders may open (PARAREEL_ASSET_BUCKETS, PARAREEL_ASSET_HOSTS)
    assets: AssetPolicy = field(default_factory=lambda: AssetPolicy(confined=True))

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        missing = [n for n in ("PARAREEL_PROJECT", "PARAREEL_BUCKET", "AWS_LAMBDA_FUNCTION_NAME")
                   if not env.get(n)]
        if missing:
            raise ParareelError(f"the function's environment lacks {', '.join(missing)}")
        return cls(
            project=env["PARAREEL_PROJECT"], bucket=env["PARAREEL_BUCKET"],
            function=env["AWS_LAMBDA_FUNCTION_NAME"],
            memory_mb=int(env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", 2048)),
            arch=env.get("PARAREEL_ARCH", "x86_64"),
            max_workers=int(env.get("PARAREEL_MAX_WORKERS", 200)),
            max_in_flight=int(env.get("PARAREEL_MAX_IN_FLIGHT", 100)),
            retries=int(env.get("PARAREEL_RETRIES", 3)),
            faults_enabled=env.get("PARAREEL_TEST_FAULTS") == "1",
            assets=AssetPolicy.from_env(env),
        )
