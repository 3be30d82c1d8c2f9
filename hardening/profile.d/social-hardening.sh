# social-hardening: no core dumps from login shells (limits.d and coredump.conf.d cover the rest).
ulimit -c 0
