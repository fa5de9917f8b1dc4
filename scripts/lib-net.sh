# lib-net.sh: helpers every bench and load script sources (loopback only).

# free_port prints a free TCP port on 127.0.0.1.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_ready waits up to 30 s for URL/readyz to answer 200.
wait_ready() { # url
	for _ in $(seq 1 300); do
		curl -fsS "$1/readyz" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "$1 did not become ready" >&2
	return 1
}
