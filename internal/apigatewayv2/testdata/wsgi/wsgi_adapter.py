"""A small WSGI <-> API Gateway payload 2.0 adapter: a function handler that runs a WSGI app.

handler = wsgi_adapter.handler_for(app)
"""
import base64
import io
import sys
from urllib.parse import unquote

# Content types whose bodies are text; anything else is answered base64-encoded.
TEXT_TYPES = ("text/", "application/json", "application/javascript", "application/xml", "image/svg+xml")


def environ_for(event, context):
    http = event["requestContext"]["http"]
    body = event.get("body") or ""
    body = base64.b64decode(body) if event.get("isBase64Encoded") else body.encode("utf-8")
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    if event.get("cookies"):
        headers["cookie"] = "; ".join(event["cookies"])
    host = headers.get("host", "localhost")
    name, _, port = host.partition(":")
    environ = {
        "REQUEST_METHOD": http["method"],
        "SCRIPT_NAME": "",
        "PATH_INFO": unquote(event.get("rawPath") or "/"),
        "QUERY_STRING": event.get("rawQueryString") or "",
        "SERVER_NAME": name,
        "SERVER_PORT": port or headers.get("x-forwarded-port", "80"),
        "SERVER_PROTOCOL": http.get("protocol", "HTTP/1.1"),
        "REMOTE_ADDR": http.get("sourceIp", ""),
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": headers.get("x-forwarded-proto", "http"),
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    for key, value in headers.items():
        if key == "content-type":
            environ["CONTENT_TYPE"] = value
        elif key != "content-length":
            environ["HTTP_" + key.upper().replace("-", "_")] = value
    return environ


def handler_for(app):
    def handler(event, context):
        answer = {}

        def start_response(status, headers, exc_info=None):
            answer["status"] = int(status.split(" ", 1)[0])
            answer["headers"] = headers

        chunks = app(environ_for(event, context), start_response)
        try:
            body = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        out_headers, cookies = {}, []
        for key, value in answer["headers"]:
            if key.lower() == "set-cookie":
                cookies.append(value)
            elif key.lower() in out_headers:
                out_headers[key.lower()] += "," + value
            else:
                out_headers[key.lower()] = value
        ctype = out_headers.get("content-type", "")
        text = ctype.startswith(TEXT_TYPES)
        result = {"statusCode": answer["status"], "headers": out_headers,
                  "body": body.decode("utf-8") if text else base64.b64encode(body).decode("ascii"),
                  "isBase64Encoded": not text}
        if cookies:
            result["cookies"] = cookies
        return result

    return handler
