#!/usr/bin/env bash
# Builds the test bed's binaries from Go modules into the cache (lib.sh: $TESTBED_CACHE/bin-<key>/) and
# prints that directory: etcd (go.etcd.io/etcd/server/v3), kube-apiserver, kube-controller-manager,
# kube-scheduler, kubectl (k8s.io/kubernetes) and kwok (sigs.k8s.io/kwok), all versions pinned in go.mod/go.sum.
#
#   build.sh            builds when the cache has no binaries for this go.mod/go.sum/toolchain; else prints the dir
#   FORCE=1 build.sh    rebuilds
#
# One `go build` for all six, so packages they share are compiled once. Cold on 2 cores: about 20 min of Go
# compilation (the Go build cache, ~/.cache/go-build, makes a rebuild after a go.mod change much cheaper).
# Only the Go module proxy is needed.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
cd "$TESTBED_HOME"

command -v go >/dev/null || die "go is not installed (the test bed builds its Kubernetes binaries from Go modules)"
out="$(bin_dir)"
names=(etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kwok)
complete() { for n in "${names[@]}"; do [[ -x "$out/$n" ]] || return 1; done; }

mkdir -p "$TESTBED_CACHE"
exec 9>"$TESTBED_CACHE/build.lock"
flock 9   # two builds at once (two clones, two test runs) would only compete for the CPU
if [[ "${FORCE:-0}" != 1 ]] && complete; then
  echo "$out"
  exit 0
fi

echo "build.sh: building ${names[*]} into $out (cold: ~20 min on 2 cores) ..." >&2
t0=$SECONDS
export CGO_ENABLED=0   # the upstream releases build these statically as well
export GOFLAGS="${GOFLAGS:-} -mod=readonly -trimpath"
# Without the -X flags the Kubernetes binaries report v0.0.0-master as their version.
major=${KUBE_VERSION#v}; major=${major%%.*}
minor=${KUBE_VERSION#v*.}; minor=${minor%%.*}
cb=k8s.io/component-base/version
ldflags="-s -w -X $cb.gitVersion=$KUBE_VERSION -X $cb.gitMajor=$major -X $cb.gitMinor=$minor -X $cb.gitTreeState=clean"
tmp="$out.tmp.$$"
rm -rf "$tmp"; mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
# nice: the build is CPU-bound for many minutes on a machine that also runs other work
nice -n 10 go build -ldflags "$ldflags" -o "$tmp/" \
  ./cmd/etcd \
  k8s.io/kubernetes/cmd/kube-apiserver \
  k8s.io/kubernetes/cmd/kube-controller-manager \
  k8s.io/kubernetes/cmd/kube-scheduler \
  k8s.io/kubernetes/cmd/kubectl \
  sigs.k8s.io/kwok/cmd/kwok >&2
rm -rf "$out"
mv "$tmp" "$out"
trap - EXIT
echo "build.sh: built in $((SECONDS - t0)) s: $(cd "$out" && du -ch "${names[@]}" | tail -1 | cut -f1) in $out" >&2
# Older builds of other go.mod versions are not needed any more.
find "$TESTBED_CACHE" -maxdepth 1 -name 'bin-*' ! -path "$out" -exec rm -rf {} + 2>/dev/null || true
echo "$out"
