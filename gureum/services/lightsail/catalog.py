"""What gureum's Lightsail can really provide: two blueprints (Debian 12, and Debian's nginx on it, both built from
Debian's packages, see blueprint.py) and the Linux bundles whose memory and vCPUs this machine has (enforced as the
container's engine limits). Every other blueprint AWS lists (Windows, Bitnami/licensed application stacks, other
distributions) is refused by name.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from .errors import InvalidInputException

DEBIAN = "debian_12"
NGINX = "nginx"
BLUEPRINTS: dict[str, dict[str, Any]] = {
    DEBIAN: {
        "blueprintId": DEBIAN,
        "name": "Debian",
        "group": "debian_12",
        "type": "os",
        "description": (
            "Debian 12 (bookworm) as a system container: OpenSSH, bash, coreutils, sudo and busybox from Debian's "
            "packages, built on this machine and cached as an engine image."
        ),
        "isActive": True,
        "minPower": 0,
        "version": "12",
        "versionCode": "1",
        "productUrl": "https://www.debian.org/",
        "licenseUrl": "https://www.debian.org/social_contract#guidelines",
        "platform": "LINUX_UNIX",
    },
    NGINX: {
        "blueprintId": NGINX,
        "name": "Nginx",
        "group": "nginx",
        "type": "app",
        "description": (
            "Debian's nginx serving its default site on port 80, on the Debian 12 blueprint (built from Debian's "
            "packages on this machine)."
        ),
        "isActive": True,
        "minPower": 0,
        "version": "1.22",
        "versionCode": "1",
        "productUrl": "https://nginx.org/",
        "licenseUrl": "https://nginx.org/LICENSE",
        "platform": "LINUX_UNIX",
    },
}
# names AWS offers that gureum cannot build, with why (any other unknown id is refused too)
_WINDOWS = ("windows_server", "windows_")
_LICENSED = ("wordpress", "lamp", "nodejs", "joomla", "magento", "mean", "drupal", "gitlab", "redmine", "ghost",
             "django", "plesk", "cpanel", "prestashop", "mastodon", "lemp")  # fmt: skip


@dataclass(frozen=True, slots=True)
class Bundle:
    bundle_id: str
    name: str
    price: float
    ram_gb: float
    cpus: int
    disk_gb: int
    transfer_gb: int
    power: int

    def doc(self, active: bool) -> dict[str, Any]:
        return {
            "price": self.price,
            "cpuCount": self.cpus,
            "diskSizeInGb": self.disk_gb,
            "bundleId": self.bundle_id,
            "instanceType": self.name.lower(),
            "isActive": active,
            "name": self.name,
            "power": self.power,
            "ramSizeInGb": self.ram_gb,
            "transferPerMonthInGb": self.transfer_gb,
            "supportedPlatforms": ["LINUX_UNIX"],
            "supportedAppCategories": [],
            "publicIpv4AddressCount": 1,
        }


BUNDLES = (
    Bundle("nano_3_0", "Nano", 5.0, 0.5, 2, 20, 1024, 300),
    Bundle("micro_3_0", "Micro", 7.0, 1.0, 2, 40, 2048, 500),
    Bundle("small_3_0", "Small", 12.0, 2.0, 2, 60, 3072, 1000),
    Bundle("medium_3_0", "Medium", 24.0, 4.0, 2, 80, 4096, 2000),
    Bundle("large_3_0", "Large", 44.0, 8.0, 2, 160, 5120, 3000),
    Bundle("xlarge_3_0", "Xlarge", 84.0, 16.0, 4, 320, 6144, 4000),
    Bundle("2xlarge_3_0", "2Xlarge", 164.0, 32.0, 8, 640, 7168, 5000),
)


def _host() -> tuple[float, int]:
    """This machine's memory (GiB) and CPUs."""
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError, AttributeError):
        memory = 0.0
    return memory, os.cpu_count() or 1


def fits(bundle: Bundle) -> bool:
    memory, cpus = _host()
    return bundle.ram_gb <= memory and bundle.cpus <= cpus


def bundles(include_inactive: bool) -> list[dict[str, Any]]:
    found = [bundle.doc(fits(bundle)) for bundle in BUNDLES]
    return found if include_inactive else [doc for doc in found if doc["isActive"]]


def blueprints() -> list[dict[str, Any]]:
    return [dict(doc) for doc in BLUEPRINTS.values()]


def blueprint(blueprint_id: str) -> dict[str, Any]:
    """The blueprint, or AWS's InvalidInputException saying what gureum can build instead."""
    if blueprint_id in BLUEPRINTS:
        return BLUEPRINTS[blueprint_id]
    offered = ", ".join(BLUEPRINTS)
    if blueprint_id.startswith(_WINDOWS):
        why = "Windows blueprints cannot run in a Linux container engine"
    elif blueprint_id.startswith(_LICENSED):
        why = "application blueprints (Bitnami and other licensed images) are not built here"
    else:
        why = "it is not a blueprint gureum builds"
    raise InvalidInputException(
        f"The blueprint {blueprint_id} is not supported: {why}. Supported blueprints: {offered}."
    )


def bundle(bundle_id: str) -> Bundle:
    for found in BUNDLES:
        if found.bundle_id == bundle_id:
            if not fits(found):
                memory, cpus = _host()
                raise InvalidInputException(
                    f"The bundle {bundle_id} needs {found.ram_gb:g} GB of memory and {found.cpus} vCPUs; this machine "
                    f"has {memory:.1f} GB and {cpus}."
                )
            return found
    if bundle_id.endswith(("_win_3_0", "_win_2_0", "_win_1_0")):
        raise InvalidInputException(f"The bundle {bundle_id} is a Windows bundle; gureum runs Linux instances only.")
    raise InvalidInputException(f"The bundle ID {bundle_id} is invalid. Call GetBundles for the bundles offered.")
