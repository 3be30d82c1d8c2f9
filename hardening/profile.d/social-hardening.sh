# social-hardening: login shells of the social appliance (CIS Debian 12, 5.4.3.2).
# No core dumps from login shells (limits.d and coredump.conf.d cover the rest).
ulimit -c 0
# An idle shell logs out after 15 minutes, so a forgotten root session does not stay open;
# read-only, so a session cannot lift it. Long jobs belong in tmux/screen or a unit.
TMOUT=900
readonly TMOUT
export TMOUT
