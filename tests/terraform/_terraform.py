"""Run the Terraform CLI offline against a gureum server: the AWS provider comes from a local plugin mirror
(configured through TF_CLI_CONFIG_FILE in the run's own directory), never from the network."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

STACK = Path(__file__).parent / "stack"
# where machines of this kind keep provider mirrors (registry.terraform.io/hashicorp/aws/<version>/<os_arch>/ below)
MIRRORS = [
    os.environ.get("GUREUM_TF_PLUGIN_MIRROR", ""),
    "/opt/tf-plugins",
    "/usr/share/terraform/plugins",
    "/usr/local/share/terraform/plugins",
    str(Path.home() / ".terraform.d" / "plugins"),
    str(Path.home() / ".local" / "share" / "terraform" / "plugins"),
]
_PROVIDER = "registry.terraform.io/hashicorp/aws"


def terraform_binary() -> str | None:
    return shutil.which("terraform")


def plugin_mirror() -> str:
    for candidate in MIRRORS:
        if candidate and (Path(candidate) / _PROVIDER).is_dir():
            return candidate
    raise RuntimeError(
        f"terraform is installed but no AWS provider mirror was found in {[m for m in MIRRORS if m]}"
        " (set GUREUM_TF_PLUGIN_MIRROR)"
    )


class TerraformError(AssertionError):
    pass


class Terraform:
    """One working directory holding a copy of ``stack/``, initialised from the mirror."""

    def __init__(self, workdir: Path) -> None:
        self.dir = workdir
        shutil.copytree(STACK, workdir, dirs_exist_ok=True)
        cli_config = workdir / "cli.tfrc"
        cli_config.write_text(
            "provider_installation {\n"
            f'  filesystem_mirror {{\n    path    = "{plugin_mirror()}"\n    include = ["{_PROVIDER}"]\n  }}\n'
            f'  direct {{\n    exclude = ["{_PROVIDER}"]\n  }}\n'
            "}\n"
        )
        self.log = workdir / "terraform.log"
        self.env = {
            **os.environ,
            "TF_CLI_CONFIG_FILE": str(cli_config),
            "CHECKPOINT_DISABLE": "1",
            "TF_IN_AUTOMATION": "1",
            "TF_INPUT": "0",
            # the provider's request/response log, read back when a call fails (see failure())
            "TF_LOG": os.environ.get("TF_LOG", "DEBUG"),
            "TF_LOG_PATH": str(self.log),
        }
        for name in (
            "AWS_PROFILE",
            "AWS_CONFIG_FILE",
            "AWS_SHARED_CREDENTIALS_FILE",
            "AWS_ENDPOINT_URL",
            "TF_PLUGIN_CACHE_DIR",
        ):
            self.env.pop(name, None)
        self.run("init", "-no-color", "-input=false")

    def _call(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["terraform", *args], cwd=self.dir, env=self.env, capture_output=True, text=True, timeout=timeout
        )

    def run(self, *args: str, timeout: float = 300) -> str:
        proc = self._call(*args, timeout=timeout)
        if proc.returncode != 0:
            raise TerraformError(
                f"terraform {args[0]} failed ({proc.returncode}):\n{proc.stderr[-6000:]}\n{proc.stdout[-3000:]}\n"
                f"{self.failure()}"
            )
        return proc.stdout

    def apply(self, variables: dict[str, Any]) -> dict[str, Any]:
        self.run("apply", "-auto-approve", "-no-color", *self._vars(variables))
        outputs = json.loads(self.run("output", "-json", "-no-color"))
        return {key: value["value"] for key, value in outputs.items()}

    def plan_changes(self, variables: dict[str, Any]) -> bool:
        """Whether a fresh plan (refreshing every resource from the server) wants to change anything."""
        proc = self._call("plan", "-detailed-exitcode", "-no-color", *self._vars(variables))
        if proc.returncode == 1:
            raise TerraformError(f"terraform plan failed:\n{proc.stderr[-6000:]}\n{self.failure()}")
        if proc.returncode == 2:
            print(proc.stdout[-6000:])
        return proc.returncode == 2

    def destroy(self, variables: dict[str, Any]) -> None:
        # the state is fresh (the test just planned), so skip the refresh and its provider reads
        self.run("destroy", "-auto-approve", "-no-color", "-refresh=false", *self._vars(variables))

    def state(self) -> list[str]:
        out = self.run("state", "list")
        return [line for line in out.splitlines() if line.strip()]

    @staticmethod
    def _vars(variables: dict[str, Any]) -> list[str]:
        return [f"-var={k}={v}" for k, v in variables.items()]

    def failure(self) -> str:
        """The AWS error responses in the provider's debug log: which call gureum answered how."""
        if not self.log.exists():
            return ""
        text = self.log.read_text(errors="replace")
        hits = [
            m.group(0)[:1500]
            for m in re.finditer(r"[^\n]*(?:http.response.body|ErrorResponse|__type|\"message\")[^\n]*", text)
            if re.search(r"Error|Exception|error", m.group(0))
        ]
        return f"provider log {self.log} ({len(text)} bytes); error responses:\n" + "\n".join(hits[-12:])
