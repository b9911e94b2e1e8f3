# Shared by scripts/serve and scripts/test: a virtualenv with the helpline installed, and
# the servers the tests use. Sourced, not run.

install_python_env() {
    # $1: the extras to install with it ("test" for scripts/test; none for scripts/serve).
    local python=${PYTHON:-python3} target="."
    [ -z "${1:-}" ] || target=".[$1]"
    if [ ! -x .venv/bin/python ]; then
        "$python" -m venv .venv
    fi
    .venv/bin/python -m pip install --quiet --upgrade pip >/dev/null
    .venv/bin/python -m pip install --quiet -e "$target"
}

install_node_tools() {
    # Node tools the tests use (Twilio's segment calculator, the prism mock of Twilio's API).
    if [ -f tests/node/package.json ]; then
        if ! command -v npm >/dev/null 2>&1; then
            echo "scripts/test: npm is needed for tests/node (apt-get install nodejs npm)" >&2
            return 1
        fi
        (cd tests/node && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    fi
}

install_speech_tools() {
    # espeak-ng renders phone prompts offline (TTS_ENGINE=espeak); lame makes them MP3.
    if command -v espeak-ng >/dev/null 2>&1 && command -v lame >/dev/null 2>&1; then
        return 0
    fi
    _apt_install espeak-ng/lame espeak-ng lame
}

install_browser_tools() {
    # Debian's Chromium for the browser tests: Playwright drives it through executable_path
    # and never downloads a browser of its own. Liberation Sans has Arial's metrics, the font
    # the console's pages (and their screenshots in docs/) use.
    command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -q "Liberation Sans" \
        && return 0
    _apt_install chromium chromium fonts-liberation
}

_apt_install() {
    # Debian packages some tests need, installed only when missing, and only in CI or as root:
    # a developer's machine is theirs. Usage: _apt_install WHAT PACKAGE...
    local what=$1
    shift
    if [ "${CI:-}" != "true" ] && [ "$(id -u)" != "0" ]; then
        echo "scripts/test: $what missing: their tests are skipped (apt-get install $*)" >&2
        return 0
    fi
    local sudo=""
    [ "$(id -u)" = "0" ] || sudo="sudo"
    $sudo apt-get update -qq >/dev/null \
        && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

_reachable() {
    .venv/bin/python - "$1" "$2" <<'PY'
import sys
kind, url = sys.argv[1], sys.argv[2]
try:
    if kind == "redis":
        import redis
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    else:
        import sqlalchemy
        with sqlalchemy.create_engine(url).connect() as conn:
            conn.execute(sqlalchemy.text("SELECT 1"))
except Exception:
    sys.exit(1)
PY
}

ensure_redis() {
    _reachable redis "$1" && return 0
    [ "${CI:-}" = "true" ] || return 1
    mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
        --dir /var/lib/redis --logfile /var/log/redis/ci.log >/dev/null 2>&1 || return 1
    for _ in $(seq 1 30); do _reachable redis "$1" && return 0; sleep 0.5; done
    return 1
}

ensure_postgres() {
    _reachable postgres "$1" && return 0
    [ "${CI:-}" = "true" ] || return 1
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start \
        >/dev/null 2>&1 || return 1
    for _ in $(seq 1 60); do _reachable postgres "$1" && return 0; sleep 0.5; done
    return 1
}
