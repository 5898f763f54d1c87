#!/usr/bin/env bash
# Install the Debian packages that kkbweb's browser and nginx tests need.
#
# Idempotent: when every package is already installed it touches nothing and
# does not even refresh the package lists. Extra package names given as
# arguments are installed too (e.g. `.ci/install-system.sh nginx`).
#
# We drive Debian's chromium with Playwright for Python; `playwright install`
# downloads its own browser build, which this network does not allow.
set -euo pipefail

PACKAGES=(
    chromium              # /usr/bin/chromium, driven by Playwright over CDP
    fonts-dejavu-core     # fallback sans-serif, wide Latin coverage
    fonts-liberation      # metric-compatible Arial/Times/Courier
    fonts-roboto-unhinted # Android's system font: phone screenshots wrap as on a phone
    nginx-light           # tests/test_nginx.py runs deploy/nginx-kkbweb.conf as shipped
    poppler-utils         # pdftotext: the daftar hadir PDF's pages are read in a browser test
)
PACKAGES+=("$@")

die() {
    echo "install-system: $*" >&2
    exit 1
}

is_installed() {
    [[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" == "installed" ]]
}

if ! command -v dpkg-query >/dev/null || ! command -v apt-get >/dev/null; then
    die "apt-get/dpkg-query not found: this script supports Debian-based systems only."
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
    is_installed "$pkg" || missing+=("$pkg")
done

if ((${#missing[@]} > 0)); then
    echo "install-system: installing ${missing[*]}"
    if ((EUID == 0)); then
        SUDO=()
    elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
        SUDO=(sudo -n)
    else
        die "need root (or password-less sudo) to install: ${missing[*]}"
    fi
    export DEBIAN_FRONTEND=noninteractive
    # Wait for a concurrent apt/dpkg (e.g. unattended-upgrades) instead of failing.
    APT=("${SUDO[@]}" apt-get -q -y -o DPkg::Lock::Timeout=300)
    "${APT[@]}" update \
        || die "apt-get update failed; are Debian's package mirrors reachable?"
    # Recommends would add ~100 desktop packages (cups, samba, avahi) we do not use.
    "${APT[@]}" install --no-install-recommends "${missing[@]}" \
        || die "apt-get install failed for: ${missing[*]}"
    for pkg in "${missing[@]}"; do
        is_installed "$pkg" || die "package $pkg is still not installed after apt-get."
    done
else
    echo "install-system: all packages present (${PACKAGES[*]})"
fi

# A broken chromium fails here rather than in the middle of the test run.
version="$(/usr/bin/chromium --version 2>/dev/null)" \
    || die "/usr/bin/chromium is installed but does not run (try: /usr/bin/chromium --version)."
echo "install-system: ${version}"
