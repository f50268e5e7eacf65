"""The Debian blueprints' root filesystem, built from Debian's own packages the way debootstrap's first stage does:
apt resolves the closure of openssh-server, bash, coreutils, sudo, busybox and nginx against an empty system and
downloads it from this machine's apt sources, dpkg-deb unpacks each package, and the files a package's maintainer
scripts would make (users, sshd's privilege separation directory, PAM's common stacks, nginx's default site) are
written here. One image serves both blueprints (the instance's /etc/lightsail/blueprint says which). Runs in a worker
thread (blocking: subprocesses and file I/O); ``progress`` gets one line per step.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
from collections.abc import Callable
from pathlib import Path

RECIPE = "6"  # bump when the rootfs changes: the cached image's tag carries it
PACKAGES = ("openssh-server", "bash", "coreutils", "sudo", "busybox", "grep", "sed", "findutils", "procps", "nginx")
# pulled in by maintainer-script helpers only (debconf, ucf, adduser use perl); nothing here runs them
SKIPPED = frozenset(
    {"perl", "perl-modules-5.36", "libperl5.36", "libfile-find-rule-perl", "libnumber-compare-perl",
     "libtext-glob-perl", "usrmerge"}
)  # fmt: skip
USER = "admin"
UID = 1000
INIT = "/usr/local/sbin/lightsail-init"

_PASSWD = (
    "root:x:0:0:root:/root:/bin/bash\n"
    "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
    "www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n"
    "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
    "sshd:x:100:65534::/run/sshd:/usr/sbin/nologin\n"
    f"{USER}:x:{UID}:{UID}:Debian:/home/{USER}:/bin/bash\n"
)
_GROUP = f"root:x:0:\ndaemon:x:1:\nadm:x:4:admin\nsudo:x:27:admin\nwww-data:x:33:\nnogroup:x:65534:\n{USER}:x:{UID}:\n"
# "*": no password, but not locked (sshd refuses public keys for a locked "!" account)
_SHADOW = "".join(f"{line.split(':')[0]}:*:20000:0:99999:7:::\n" for line in _PASSWD.splitlines())
_SSHD_CONFIG = """\
# gureum's Lightsail Debian blueprint
Port 22
HostKey /etc/ssh/ssh_host_ed25519_key
PermitRootLogin no
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
AuthorizedKeysFile .ssh/authorized_keys
# GetInstanceAccessDetails' short-lived certificates are signed by the region's access CA
TrustedUserCAKeys /etc/ssh/lightsail_ca.pub
PrintMotd no
AcceptEnv LANG LC_*
Subsystem sftp /usr/lib/openssh/sftp-server
"""
# the instance's init (PID 1): an instance's first boot runs its user data once (keyed by its instance id, so an
# instance made from a snapshot runs its own), in the background as cloud-init does (output in
# /var/log/cloud-init-output.log), then sshd in the foreground
_INIT = """\
#!/bin/bash
mkdir -p /run/sshd /var/log /var/lib/cloud
chmod 0755 /run/sshd
id=$(cat /var/lib/cloud/instance-id 2>/dev/null)
if [ -s /var/lib/cloud/user-data ] && [ "$(cat /var/lib/cloud/user-data.done 2>/dev/null)" != "$id" ]; then
    echo "$id" > /var/lib/cloud/user-data.done
    chmod 0700 /var/lib/cloud/user-data
    if [ "$(head -c 2 /var/lib/cloud/user-data)" = "#!" ]; then
        setsid /var/lib/cloud/user-data >/var/log/cloud-init-output.log 2>&1 </dev/null &
    else
        setsid /bin/sh /var/lib/cloud/user-data >/var/log/cloud-init-output.log 2>&1 </dev/null &
    fi
fi
# the nginx blueprint: Debian's nginx with its default site, started before sshd
if grep -qx nginx /etc/lightsail/blueprint 2>/dev/null; then
    mkdir -p /var/log/nginx /var/lib/nginx
    /usr/sbin/nginx
fi
exec /usr/sbin/sshd -D -e
"""
_PAM = {
    "common-auth": "auth required pam_unix.so nullok\n",
    "common-account": "account required pam_unix.so\n",
    "common-session": "session required pam_unix.so\n",
    "common-session-noninteractive": "session required pam_unix.so\n",
    "common-password": "password required pam_unix.so obscure yescrypt\n",
}

Progress = Callable[[str], None]


class BuildError(RuntimeError):
    """The blueprint cannot be built on this machine (no apt, no dpkg-deb, a download failed); says why."""


def _run(args: list[str], what: str) -> str:
    proc = subprocess.run(args, capture_output=True, text=True, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    if proc.returncode != 0:
        raise BuildError(f"{what} failed ({proc.returncode}): {(proc.stderr or proc.stdout).strip()[-800:]}")
    return proc.stdout


def download(work: Path, progress: Progress) -> list[Path]:
    """The packages' closure as .deb files under ``work``/debs, resolved by this machine's apt against an empty
    package status (so every dependency is fetched, not only what the host lacks)."""
    for tool in ("apt-get", "dpkg-deb"):
        if shutil.which(tool) is None:
            raise BuildError(f"building the Debian blueprint needs {tool} (a Debian or Ubuntu machine)")
    debs, state = work / "debs", work / "state"
    (debs / "partial").mkdir(parents=True, exist_ok=True)
    (state / "lists" / "partial").mkdir(parents=True, exist_ok=True)
    (state / "status").write_text("")
    options = [
        f"-oDir::State::status={state / 'status'}",
        f"-oDir::Cache::archives={debs}",
        f"-oDir::Cache={work / 'cache'}",
        "-oDebug::NoLocking=1",
        "-oAPT::Install-Recommends=false",
        "-oAPT::Sandbox::User=root",
        "-q",
    ]
    host_lists = Path("/var/lib/apt/lists")
    if not any(host_lists.glob("*_Packages*")):  # a fresh machine: index the sources into our own lists
        progress("apt-get update (this machine has no package lists)")
        options.append(f"-oDir::State::Lists={state / 'lists'}")
        _run(["apt-get", *options, "update"], "apt-get update")
    progress(f"resolving and downloading {' '.join(PACKAGES)} with their dependencies")
    _run(["apt-get", *options, "-y", "--download-only", "install", *PACKAGES], "apt-get install --download-only")
    found = sorted(debs.glob("*.deb"))
    if not found:
        raise BuildError("apt downloaded no packages")
    return found


def unpack(debs: list[Path], root: Path, progress: Progress) -> None:
    root.mkdir(parents=True, exist_ok=True)
    used = [deb for deb in debs if deb.name.split("_", 1)[0] not in SKIPPED]
    progress(f"unpacking {len(used)} Debian packages")
    for deb in used:
        _run(["dpkg-deb", "-x", str(deb), str(root)], f"dpkg-deb -x {deb.name}")
    # as Debian's slim images do (dpkg path-exclude): no translations, manuals or docs but the copyright files —
    # a third of the size, and an engine with vfs storage copies the whole tree for every new instance
    share = root / "usr" / "share"
    for directory in ("locale", "man", "info", "lintian", "linda"):
        shutil.rmtree(share / directory, ignore_errors=True)
    for package in (share / "doc").iterdir():
        if package.is_symlink() or not package.is_dir():
            continue
        for path in package.iterdir():
            if path.name == "copyright":
                continue
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()


def configure(root: Path) -> None:
    """What the packages' maintainer scripts would have done, and the blueprint's own init."""
    etc = root / "etc"
    (etc / "passwd").write_text(_PASSWD)
    (etc / "group").write_text(_GROUP)
    (etc / "shadow").write_text(_SHADOW)
    (etc / "gshadow").write_text("".join(f"{line.split(':')[0]}:*::\n" for line in _GROUP.splitlines()))
    (etc / "shells").write_text("/bin/sh\n/bin/bash\n/usr/bin/bash\n")
    (etc / "hostname").write_text("localhost\n")
    (etc / "ssh" / "sshd_config").write_text(_SSHD_CONFIG)
    for name, text in _PAM.items():
        (etc / "pam.d" / name).write_text(text)
    (etc / "sudoers.d").mkdir(exist_ok=True)
    (etc / "sudoers.d" / "90-lightsail-users").write_text(f"{USER} ALL=(ALL) NOPASSWD:ALL\n")
    (root / "bin" / "sh").unlink(missing_ok=True)
    (root / "bin" / "sh").symlink_to("bash")  # dash is not in the closure
    for directory in ("run/sshd", "var/lib/cloud", "var/www/html", "var/log", "tmp", "root", f"home/{USER}/.ssh"):
        (root / directory).mkdir(parents=True, exist_ok=True)
    # busybox's applets (httpd, wget, vi, ip, nc, …) where Debian's packages here have no such command
    applets = _run([str(root / "bin" / "busybox"), "--list"], "busybox --list").split()
    local = root / "usr" / "local" / "bin"
    local.mkdir(parents=True, exist_ok=True)
    for applet in applets:
        if not any((root / d / applet).exists() for d in ("bin", "sbin", "usr/bin", "usr/sbin")):
            (local / applet).symlink_to("/bin/busybox")
    # nginx-common's postinst: the default site enabled, its page in /var/www/html
    enabled = etc / "nginx" / "sites-enabled"
    enabled.mkdir(parents=True, exist_ok=True)
    (enabled / "default").unlink(missing_ok=True)
    (enabled / "default").symlink_to("/etc/nginx/sites-available/default")
    page = root / "usr" / "share" / "nginx" / "html" / "index.html"
    if page.exists():
        shutil.copy(page, root / "var" / "www" / "html" / "index.nginx-debian.html")
    init = root / INIT.lstrip("/")
    init.parent.mkdir(parents=True, exist_ok=True)
    init.write_text(_INIT)
    init.chmod(0o755)


def archive(root: Path, target: Path, progress: Progress) -> None:
    """The root filesystem as a tar (owners root, the default user's home its own)."""
    progress("writing the root filesystem's archive")
    home = f"home/{USER}"

    def owner(info: tarfile.TarInfo) -> tarfile.TarInfo:
        name = info.name.lstrip("./")
        mine = name == home or name.startswith(home + "/")
        info.uid = info.gid = UID if mine else 0
        info.uname = info.gname = USER if mine else "root"
        if name in ("usr/bin/sudo",):
            info.mode |= 0o4000
        if name in ("tmp",):
            info.mode = 0o1777
        if name == f"{home}/.ssh":
            info.mode = 0o700
        return info

    with tarfile.open(target, "w") as tar:
        for entry in sorted(os.listdir(root)):
            tar.add(root / entry, arcname=entry, filter=owner)


def build(work: Path, progress: Progress) -> Path:
    """The whole build under ``work``: the root filesystem's tar."""
    debs = download(work, progress)
    root = work / "rootfs"
    unpack(debs, root, progress)
    configure(root)
    target = work / "rootfs.tar"
    archive(root, target, progress)
    shutil.rmtree(root, ignore_errors=True)
    shutil.rmtree(work / "debs", ignore_errors=True)
    return target
