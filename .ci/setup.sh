#!/usr/bin/env bash
# Installs the Debian packages the tests drive, when a fresh machine lacks them:
# kubectl (test/deploy renders the Kubernetes overlays), chromium (browser tests), prometheus (a real scrape test).
set -uo pipefail
missing=()
command -v kubectl >/dev/null || missing+=(kubectl)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -d /usr/share/fonts/truetype/liberation ] || missing+=(fonts-liberation) # the storefront screenshots' text
command -v prometheus >/dev/null || missing+=(prometheus)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq || true
# kubectl comes from this image's own source; Debian's archive has only kubernetes-client 1.20, too old for kustomize v5.
for pkg in "${missing[@]}"; do
  apt-get install -y -qq --no-install-recommends "$pkg" >/dev/null || echo "could not install $pkg: the tests that need it fail on CI" >&2
done
exit 0
