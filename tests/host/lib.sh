# shellcheck shell=bash
# Fresh-host harness library: paths, polling, and SSH helpers shared by the scripts in tests/host
# and by tests that drive a host. Source it; it sets no shell options of its own.

HOST_LIB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SOCIAL_HOST_CACHE="${SOCIAL_HOST_CACHE:-/var/cache/social-host}"
SOCIAL_HOST_RUN="${SOCIAL_HOST_RUN:-/run/social-host}"

# log MSG…: progress to stderr, so stdout stays for values callers capture.
log() {
	printf '[host %s] %s\n' "$(date +%T)" "$*" >&2
}

die() {
	log "error: $*"
	exit 1
}

# wait_until DEADLINE_SECS CMD…: run CMD until it succeeds or DEADLINE_SECS pass. The poll
# interval grows from 0.2 s to 1 s; it paces retries, it never stands in for readiness.
wait_until() {
	local deadline=$1
	shift
	local end=$((SECONDS + deadline)) pause=0.2
	until "$@"; do
		if ((SECONDS >= end)); then
			return 1
		fi
		sleep "$pause"
		case $pause in
		0.2) pause=0.5 ;;
		0.5) pause=1 ;;
		esac
	done
}

# host_check_name NAME: names end up in interface and netns names, so keep them short and plain.
host_check_name() {
	[[ $1 =~ ^[a-z0-9][a-z0-9-]{0,10}$ ]] || die "bad host name '$1' (1-11 chars of a-z 0-9 -)"
}

host_dir() {
	printf '%s/%s\n' "$SOCIAL_HOST_RUN" "$1"
}

# host_env NAME: load the host's env file (HOST_ADDR, HOST_PORT, HOST_SSH_KEY, …).
host_env() {
	local env
	env="$(host_dir "$1")/env"
	[[ -f $env ]] || {
		log "host '$1' is not up (no $env)"
		return 1
	}
	# shellcheck source=/dev/null
	source "$env"
}

# The options every SSH/SCP call uses (needs host_env): a throw-away host has throw-away host
# keys, and calls ride the connection of the master that up-* starts when its socket is there
# (an SSH login costs about 2.7 s under TCG, a multiplexed one 0.3 s); without it they connect.
host_ssh_opts() {
	printf '%s\n' -i "$HOST_SSH_KEY" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
		-o LogLevel=ERROR -o BatchMode=yes -o ConnectTimeout=5 -o ServerAliveInterval=15 \
		-o ControlMaster=no -o "ControlPath=$SOCIAL_HOST_RUN/$HOST_NAME/ssh.sock"
}

# host_ssh_master NAME start|stop: the shared connection (start it once SSH answers).
host_ssh_master() {
	(
		[[ -f $(host_dir "$1")/env ]] || exit 0
		host_env "$1"
		local -a opts
		mapfile -t opts < <(host_ssh_opts)
		case $2 in
		start)
			# ssh keeps the first value given for an option: ControlMaster=yes goes before the
			# shared options' ControlMaster=no, or no master would ever listen.
			ssh -o ControlMaster=yes -o ControlPersist=no "${opts[@]}" -f -N -p "$HOST_PORT" \
				"root@$HOST_ADDR" </dev/null >/dev/null 2>&1 &&
				[[ -S $SOCIAL_HOST_RUN/$HOST_NAME/ssh.sock ]]
			;;
		stop)
			[[ -S $SOCIAL_HOST_RUN/$HOST_NAME/ssh.sock ]] || exit 0
			ssh "${opts[@]}" -O exit -p "$HOST_PORT" "root@$HOST_ADDR" </dev/null >/dev/null 2>&1 || true
			;;
		esac
	)
}

# host_ssh NAME CMD…: run CMD as root on the host; returns CMD's exit code.
host_ssh() {
	local name=$1
	shift
	(
		host_env "$name" || exit 255
		local -a opts
		mapfile -t opts < <(host_ssh_opts)
		exec ssh "${opts[@]}" -p "$HOST_PORT" "root@$HOST_ADDR" "$@"
	)
}

# host_copy NAME LOCAL REMOTE: copy a file or directory to the host.
host_copy() {
	local name=$1 local_path=$2 remote=$3
	(
		host_env "$name" || exit 255
		local -a opts
		mapfile -t opts < <(host_ssh_opts)
		exec scp -q -r "${opts[@]}" -P "$HOST_PORT" "$local_path" "root@$HOST_ADDR:$remote"
	)
}

# host_ssh_ready NAME: true once sshd accepts our key and runs a command.
host_ssh_ready() {
	host_ssh "$1" true </dev/null >/dev/null 2>&1
}

# host_write_env NAME KEY=VALUE…: write the env file atomically, values shell-quoted.
host_write_env() {
	local name=$1 dir kv
	shift
	dir="$(host_dir "$name")"
	{
		for kv in "$@"; do
			local value=${kv#*=}
			printf "%s='%s'\n" "${kv%%=*}" "${value//\'/\'\\\'\'}"
		done
	} >"$dir/env.tmp"
	mv "$dir/env.tmp" "$dir/env"
}

# host_ssh_command: the one-line ssh command for the env file and for humans (needs host_env).
host_ssh_command() {
	local port_opt=""
	[[ $HOST_PORT == 22 ]] || port_opt="-p $HOST_PORT "
	printf 'ssh -i %s %s-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o ControlPath=%s root@%s\n' \
		"$HOST_SSH_KEY" "$port_opt" "$SOCIAL_HOST_RUN/$HOST_NAME/ssh.sock" "$HOST_ADDR"
}

# host_tree_dir: build or reuse the cached tree, print its cache dir.
host_tree_dir() {
	"$HOST_LIB_DIR/tree"
}

# host_pid_is PID WORD: true if PID is alive and its command line contains WORD, so we only ever
# signal the process we started, never a recycled pid.
host_pid_is() {
	[[ -n $1 && -r /proc/$1/cmdline ]] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -qF -- "$2"
}

# host_wait_exec PID WORD: a just-forked child still runs as a copy of this shell until it execs;
# wait (briefly) until PID's command line shows WORD. Fails when PID exits first.
host_wait_exec() {
	local i
	for ((i = 0; i < 100; i++)); do
		host_pid_is "$1" "$2" && return 0
		[[ -e /proc/$1 ]] || return 1
		sleep 0.05
	done
	host_pid_is "$1" "$2"
}

# host_wait_booted NAME DEADLINE_SECS: wait for systemd's startup to finish; print the state.
# running and degraded both count as booted (degraded units are listed on stderr).
host_wait_booted() {
	local name=$1 deadline=$2 state
	state=$(host_ssh "$name" timeout "$deadline" systemctl is-system-running --wait </dev/null 2>/dev/null) || true
	case $state in
	running) ;;
	degraded)
		log "$name is degraded; failed units:"
		host_ssh "$name" systemctl --failed --no-legend --plain </dev/null >&2 || true
		;;
	*)
		log "$name did not finish booting within ${deadline}s (state '${state:-unknown}')"
		return 1
		;;
	esac
	printf '%s\n' "$state"
}

# host_print_reach NAME: how a human reaches the host.
host_print_reach() {
	host_env "$1"
	printf '%s host %s is up: %s\n' "$HOST_KIND" "$1" "$HOST_SSH"
	printf 'env file: %s/env\n' "$(host_dir "$1")"
}

# host_dump_logs NAME: the tail of the host's logs on stderr, for a failed up (down removes them).
host_dump_logs() {
	local f
	for f in qemu.log console.log; do
		f="$(host_dir "$1")/$f"
		[[ -s $f ]] || continue
		log "last lines of $f:"
		tail -n 25 "$f" | sed 's/\x1b\[[0-9;]*m//g' >&2
	done
}
