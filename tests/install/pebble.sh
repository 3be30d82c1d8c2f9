# shellcheck shell=bash
# Debian's Pebble (a real ACME server) on this machine for the install test: it listens on
# LISTEN_ADDR (the test machine's side of a host's veth), resolves every name to HOST_ADDR
# through pebble-challtestsrv, and validates challenges against the host's ports 80/443.
# Source after tests/host/lib.sh.
#
#   pebble_start DIR LISTEN_ADDR HOST_ADDR [VALIDITY_SECS]
#       sets PEBBLE_DIRECTORY (the ACME directory URL), PEBBLE_TLS_CA (the PEM root of Pebble's
#       own HTTPS certificate) and PEBBLE_ROOT (the PEM root that signs issued certificates)
#   pebble_stop
# Env: PEBBLE_PORT_BASE (14000: ACME directory; +1 management, +2 DNS, +3 challtestsrv
# management), PEBBLE_ADVERTISE (the address the host reaches Pebble at, in the directory URL
# and Pebble's certificate; default LISTEN_ADDR), PEBBLE_HTTP_PORT / PEBBLE_TLS_PORT (the
# host's ports Pebble validates http-01 / tls-alpn-01 against: 80 / 443).

PEBBLE_PIDS=()
PEBBLE_MANAGEMENT=
# shellcheck disable=SC2034 # PEBBLE_DIRECTORY is for the scripts that source this file
PEBBLE_DIRECTORY=

pebble_start() {
    local dir=$1 listen=$2 host=$3 validity=${4:-0}
    local advertise=${PEBBLE_ADVERTISE:-$2} base=${PEBBLE_PORT_BASE:-14000}
    mkdir -p "$dir"
    if [[ ! -f $dir/ca.pem ]]; then
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
            -subj /CN=install-test-pebble-ca -keyout "$dir/ca.key" -out "$dir/ca.pem" \
            -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
            2>/dev/null
        openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=pebble \
            -keyout "$dir/pebble.key" -out "$dir/pebble.csr" 2>/dev/null
        openssl x509 -req -in "$dir/pebble.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
            -CAcreateserial -days 2 -out "$dir/pebble.pem" \
            -extfile <(printf 'subjectAltName=IP:%s,IP:%s\nextendedKeyUsage=serverAuth\n' "$advertise" "$listen") \
            2>/dev/null
    fi
    local validity_json=""
    ((validity > 0)) && validity_json=", \"certificateValidityPeriod\": $validity"
    cat >"$dir/pebble.json" <<JSON
{"pebble": {"listenAddress": "$listen:$base", "managementListenAddress": "$listen:$((base + 1))",
 "certificate": "$dir/pebble.pem", "privateKey": "$dir/pebble.key",
 "httpPort": ${PEBBLE_HTTP_PORT:-80}, "tlsPort": ${PEBBLE_TLS_PORT:-443}, "ocspResponderURL": "",
 "externalAccountBindingRequired": false$validity_json}}
JSON
    pebble-challtestsrv -dns01 "$listen:$((base + 2))" -management "$listen:$((base + 3))" -http01 "" \
        -https01 "" -tlsalpn01 "" -defaultIPv4 "$host" -defaultIPv6 "" \
        >"$dir/challtestsrv.log" 2>&1 &
    PEBBLE_PIDS+=($!)
    # Validate at once, never refuse a nonce at random, never reuse an authorization.
    PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=0 PEBBLE_AUTHZREUSE=0 \
        pebble -config "$dir/pebble.json" -dnsserver "$listen:$((base + 2))" >"$dir/pebble.log" 2>&1 &
    PEBBLE_PIDS+=($!)
    PEBBLE_DIRECTORY=https://$advertise:$base/dir
    PEBBLE_MANAGEMENT=https://$listen:$((base + 1))
    PEBBLE_TLS_CA=$dir/ca.pem
    PEBBLE_ROOT=$dir/root.pem
    wait_until 30 pebble_fetch_root || {
        cat "$dir/pebble.log" >&2
        return 1
    }
}

# pebble_fetch_root: the root that signs issued certificates (a new one each Pebble start).
pebble_fetch_root() {
    curl -fsS -m 5 --cacert "$PEBBLE_TLS_CA" -o "$PEBBLE_ROOT" "$PEBBLE_MANAGEMENT/roots/0"
}

pebble_stop() {
    local pid
    for pid in "${PEBBLE_PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${PEBBLE_PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    PEBBLE_PIDS=()
PEBBLE_MANAGEMENT=
# shellcheck disable=SC2034 # PEBBLE_DIRECTORY is for the scripts that source this file
PEBBLE_DIRECTORY=
}
