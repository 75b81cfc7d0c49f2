#!/usr/bin/env bash
# Runs a daskrelay image tar without a container engine: unpacks its layers into a root filesystem and runs the
# image's own entrypoint with --help as the image's user, in a chroot with /proc mounted (what a runtime gives
# a container). Needs root (chroot, mount). Usage: smoke-test.sh IMAGE_TAR
set -euo pipefail
tar_file=$(readlink -f "${1:?usage: smoke-test.sh IMAGE_TAR}")
work=$(mktemp -d)
cleanup() { umount "$work/rootfs/proc" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
mkdir -p "$work/image" "$work/rootfs"
tar -xf "$tar_file" -C "$work/image" 2>/dev/null
python3 - "$work" <<'PY'
import json, subprocess, sys, shlex
work = sys.argv[1]
manifest = json.load(open(f"{work}/image/manifest.json"))[0]
config = json.load(open(f"{work}/image/{manifest['Config']}"))["config"]
for layer in manifest["Layers"]:
    subprocess.run(["tar", "-xf", f"{work}/image/{layer}", "-C", f"{work}/rootfs"], check=True,
                   stderr=subprocess.DEVNULL)
user = config.get("User", "")
assert user and not user.startswith("0") and user != "root", f"image runs as root: {user!r}"
open(f"{work}/user", "w").write(user)
open(f"{work}/cmd", "w").write(" ".join(shlex.quote(a) for a in config["Entrypoint"]))
PY
mkdir -p "$work/rootfs/proc"
mount -t proc proc "$work/rootfs/proc"
user=$(cat "$work/user")
out=$(eval chroot --userspec="$user" "$work/rootfs" "$(cat "$work/cmd")" --help 2>&1) || { echo "$out"; exit 1; }
echo "$out" | head -3
echo "$(basename "$tar_file"): runs as $user from scratch, --help ok"
