# shellcheck shell=bash
# Helpers shared by the hardening tests (tests/hardening/*): PASS/FAIL counting, polling, and
# the extra packages of the host tree they boot. Source it after `set -euo pipefail`.

HZ_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
HZ_ROOT="$(cd "$HZ_DIR/../.." && pwd)"
# shellcheck source=tests/host/lib.sh
source "$HZ_ROOT/tests/host/lib.sh"

# The host tree variant these tests boot (a separate cached tree, see tests/host/README.md):
# what the social-hardening package depends on and recommends (hosts install offline), plus
# Lynis for the VM's hardening index.
# shellcheck disable=SC2034 # used by the scripts that source this file
HZ_EXTRA_PACKAGES="nftables fail2ban python3-systemd lynis unattended-upgrades libpam-pwquality libpam-tmpdir needrestart debsums auditd apt-listchanges chkrootkit acct"

PASSED=0
FAILED=0

say() { printf '==> %s\n' "$*" >&2; }
pass() {
    PASSED=$((PASSED + 1))
    printf 'PASS %s\n' "$*"
}
fail() {
    FAILED=$((FAILED + 1))
    printf 'FAIL %s\n' "$*"
}
# check DESCRIPTION CMD…: runs CMD, records PASS or FAIL.
check() {
    local what=$1
    shift
    if "$@"; then pass "$what"; else fail "$what"; fi
}
# summary: the closing line every runner prints; returns non-zero when anything failed.
summary() {
    printf '%d passed, %d failed\n' "$PASSED" "$FAILED"
    ((FAILED == 0))
}

# The Debian python3 (python3-jinja2, python3-yaml, python3-systemd live there), not a
# toolchain's python that may be first on PATH.
# shellcheck disable=SC2034 # used by the scripts that source this file
HZ_PYTHON=/usr/bin/python3

# hz_need PKG=FILE…: installs the Debian packages whose FILE (a command or path) is missing.
hz_need() {
    local spec pkg file missing=()
    for spec in "$@"; do
        pkg=${spec%%=*}
        file=${spec#*=}
        if [[ $file == /* ]]; then
            [[ -e $file ]] || missing+=("$pkg")
        else
            command -v "$file" >/dev/null || missing+=("$pkg")
        fi
    done
    ((${#missing[@]} == 0)) && return 0
    say "installing ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q \
        --no-install-recommends "${missing[@]}" >/dev/null
}
