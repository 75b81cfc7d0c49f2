#!/usr/bin/env bash
# Builds the root filesystem of daskrelay's container base image without pulling anything from a container
# registry: a jlink'ed Java runtime, exactly the shared libraries it links against (from the build machine's
# glibc), CA certificates, a writable /tmp and a non-root user. Jib then puts the application on top of it
# (FROM scratch). Usage: build-base.sh OUTPUT_DIR
set -euo pipefail
out=${1:?usage: build-base.sh OUTPUT_DIR}
java_home=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}
modules=java.base,java.logging,java.management,java.naming,java.net.http,java.security.jgss,java.security.sasl,java.sql,java.xml,java.desktop,java.instrument,jdk.crypto.ec,jdk.crypto.cryptoki,jdk.unsupported,jdk.management,jdk.httpserver,jdk.zipfs,jdk.jfr,jdk.naming.dns
stamp="$out/.modules"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$java_home $modules v2" ]]; then
  exit 0   # already built for this JDK and module set
fi
rm -rf "$out"
mkdir -p "$out/opt" "$out/tmp" "$out/etc" "$out/home/daskrelay" "$out/var/lib/daskrelay"
"$java_home/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files \
  --compress=2 --output "$out/opt/java"
# Debian links the JDK's cacerts to /etc/ssl/certs/java/cacerts: copy the real file into the image.
cacerts="$out/opt/java/lib/security/cacerts"
if [[ -L "$cacerts" || ! -s "$cacerts" ]]; then
  cp --remove-destination "$(readlink -f "$java_home/lib/security/cacerts")" "$cacerts"
fi
# Shared libraries of the launcher, the JVM and the runtime's own native libraries, except the AWT/sound
# family that a server never loads (they would drag X11 in).
libs=$( { ldd "$out/opt/java/bin/java"; ldd "$out/opt/java/lib/server/libjvm.so";
          for so in "$out"/opt/java/lib/*.so; do
            case "$(basename "$so")" in libawt*|libfontmanager*|libjavajpeg*|liblcms*|libmlib_image*|libsplashscreen*|libjsound*|libjawt*) continue;; esac
            ldd "$so"; done; } | awk '/=>/ && $3 ~ /^\// {print $3} /^\t\/lib64\// {print $1}' | sort -u)
for lib in $libs; do
  case "$lib" in "$out"/*) continue;; esac
  mkdir -p "$out$(dirname "$lib")"
  cp -L "$lib" "$out$lib"
done
# the dynamic loader lives in /lib64 on amd64
for ld in /lib64/ld-linux-x86-64.so.2; do
  [[ -e "$ld" ]] && mkdir -p "$out/lib64" && cp -L "$ld" "$out$ld"
done
printf 'root:x:0:0:root:/root:/sbin/nologin\ndaskrelay:x:65532:65532:daskrelay:/home/daskrelay:/sbin/nologin\n' > "$out/etc/passwd"
printf 'root:x:0:\ndaskrelay:x:65532:\n' > "$out/etc/group"
printf 'hosts: files dns\n' > "$out/etc/nsswitch.conf"
echo "$java_home $modules v2" > "$stamp"
du -sh "$out" | awk '{print "image base: " $1 " in " $2}'
