"""How gunicorn serves fanhub: `gunicorn 'fanhub:create_app()'` started here reads this file.

Workers are gevent's (issue 11): every connection is a greenlet, so a client that opens a
socket and sends nothing, or sends its request a byte a second, holds a few kilobytes of
memory and no worker. Sync workers wait on such a client, and gthread hands each new
connection to a thread that waits up to five seconds for its first byte: 200 idle
sockets took the site down with either (measured: a page took over a minute with 500
idle sockets open on gthread, 2 ms on gevent). psycopg 3 and redis-py cooperate with
gevent by themselves; the app itself keeps no state in its processes.

Put nginx (or another buffering proxy) in front as well, with the timeouts in
docs/deployment.md: it closes idle and slow clients for good, which gevent alone never
does before `worker_connections` run out.

Settings a command-line flag gives win over this file (`gunicorn -w 8 ...`); these
environment variables set the usual ones:

    FANHUB_BIND                 where to listen (127.0.0.1:8000)
    WEB_CONCURRENCY             worker processes (2 per CPU core, plus 1)
    FANHUB_WORKER_CONNECTIONS   connections each worker holds at once (1000)
"""

import multiprocessing
import os

bind = os.environ.get("FANHUB_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * multiprocessing.cpu_count() + 1)
worker_class = "gevent"
worker_connections = int(os.environ.get("FANHUB_WORKER_CONNECTIONS") or 1000)

# A request still running after this long is stuck (a page takes milliseconds, a data
# export a few seconds): its worker is restarted. gevent workers tell the master they
# are alive from their own loop, so this only fires when a request blocks that loop.
timeout = 30
# On a restart or deploy (SIGHUP, SIGTERM), requests in flight get this long to finish.
graceful_timeout = 30
# Idle keep-alive connections from the proxy or a browser are closed after this long.
keepalive = 5

# Never preload: gevent patches the standard library when a worker starts, and an app
# imported before that (in the master) would keep unpatched sockets and locks.
preload_app = False
