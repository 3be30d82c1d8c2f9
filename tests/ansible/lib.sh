# shellcheck shell=bash
# Helpers shared by the Ansible tests (tests/ansible/*) and the install test: the PASS/FAIL
# counting of the hardening tests, and the extra packages of the host tree they boot. Source it
# after `set -euo pipefail`.

AN_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
AN_ROOT="$(cd "$AN_DIR/../.." && pwd)"
# shellcheck source=tests/hardening/lib.sh
source "$AN_ROOT/tests/hardening/lib.sh"

# The host tree variant (a separate cached tree, see tests/host/README.md): hosts have no
# internet, so everything the playbook installs is in it: the hardening list (social-hardening's
# Depends and Recommends), what the roles install by name (PostgreSQL, Redis, time sync, acl for
# become_user), and ansible-core (socialctl on the host can run the playbook locally).
# shellcheck disable=SC2034 # used by the scripts that source this file
ANSIBLE_HOST_EXTRA_PACKAGES="$HZ_EXTRA_PACKAGES postgresql redis-server systemd-timesyncd acl ansible-core"
