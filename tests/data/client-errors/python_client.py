"""Python TLS client used by record.py. Not a test by itself.

    python3 python_client.py MODE HOST PORT CAFILE [--cert C --key K] [--timeout S]

MODE is one of:
  ssl       ssl.create_default_context(cafile=CAFILE) + ctx.wrap_socket(sock,
            server_hostname=HOST) on a socket connected to 127.0.0.1:PORT.
  urllib    urllib.request with an HTTPSConnection subclass whose TCP connect
            goes to 127.0.0.1 (the URL, SNI and checked name stay HOST).
  requests  Session.get("https://HOST:PORT/", verify=CAFILE) through an
            HTTPAdapter whose urllib3 connections dial 127.0.0.1 (URL, SNI and
            checked name stay HOST; the subclasses keep urllib3's class names
            so messages read as they would without the redirection).

Failures are not caught: the traceback's last line is what a user would see.
"""
import argparse
import socket
import ssl

parser = argparse.ArgumentParser()
parser.add_argument("mode", choices=["ssl", "urllib", "requests"])
parser.add_argument("host")
parser.add_argument("port", type=int)
parser.add_argument("cafile")
parser.add_argument("--cert")
parser.add_argument("--key")
parser.add_argument("--timeout", type=float)
args = parser.parse_args()

LOOPBACK = "127.0.0.1"
REQUEST = f"GET / HTTP/1.0\r\nHost: {args.host}:{args.port}\r\n\r\n".encode()


def context():
    ctx = ssl.create_default_context(cafile=args.cafile)
    if args.cert:
        ctx.load_cert_chain(args.cert, args.key)
    return ctx


if args.mode == "ssl":
    sock = socket.create_connection((LOOPBACK, args.port), timeout=args.timeout)
    tls = context().wrap_socket(sock, server_hostname=args.host)
    tls.sendall(REQUEST)
    while tls.recv(65536):
        pass
    tls.close()

elif args.mode == "urllib":
    import http.client
    import urllib.request

    class LoopbackHTTPSConnection(http.client.HTTPSConnection):
        def __init__(self, *a, **kw):
            super().__init__(*a, **kw)
            self._create_connection = lambda addr, *rest, **kws: socket.create_connection(
                (LOOPBACK, addr[1]), *rest, **kws
            )

    class LoopbackHTTPSHandler(urllib.request.HTTPSHandler):
        def https_open(self, req):
            return self.do_open(LoopbackHTTPSConnection, req, context=context())

    opener = urllib.request.build_opener(LoopbackHTTPSHandler())
    kwargs = {} if args.timeout is None else {"timeout": args.timeout}
    with opener.open(f"https://{args.host}:{args.port}/", **kwargs) as resp:
        resp.read()

else:
    import requests
    import urllib3.connection
    import urllib3.exceptions
    import urllib3.connectionpool
    from requests.adapters import HTTPAdapter

    # Subclasses keep urllib3's class names so the messages read as usual.
    class HTTPSConnection(urllib3.connection.HTTPSConnection):
        def _new_conn(self):
            # urllib3 dials self._dns_host (its `host` property reads it too),
            # so swap it for the TCP connect only; SNI and the checked name
            # stay HOST.
            name, self._dns_host = self._dns_host, LOOPBACK
            try:
                return super()._new_conn()
            except urllib3.exceptions.NewConnectionError as e:
                # Same error, but naming HOST as urllib3 would have.
                self._dns_host = name
                raise urllib3.exceptions.NewConnectionError(self, e._message) from e.__cause__
            finally:
                self._dns_host = name

    class HTTPSConnectionPool(urllib3.connectionpool.HTTPSConnectionPool):
        ConnectionCls = HTTPSConnection

    class LoopbackAdapter(HTTPAdapter):
        def init_poolmanager(self, *a, **kw):
            super().init_poolmanager(*a, **kw)
            self.poolmanager.pool_classes_by_scheme = dict(
                self.poolmanager.pool_classes_by_scheme, https=HTTPSConnectionPool
            )

    session = requests.Session()
    session.mount("https://", LoopbackAdapter())
    cert = (args.cert, args.key) if args.cert else None
    session.get(
        f"https://{args.host}:{args.port}/", verify=args.cafile, cert=cert, timeout=args.timeout
    ).content
