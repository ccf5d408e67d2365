"""Runs a WSGI application (PEP 3333) for API Gateway HTTP API events, payload format 2.0.

    from wsgi_adapter import handle
    def handler(event, context):
        return handle(app, event, context)

The event's method, raw path and query string, headers, cookies and body become the WSGI environ;
the application's status, headers and body become the 2.0 answer (Set-Cookie headers go to
`cookies`, repeated headers are joined with commas, a body that is not text is base64-encoded).
"""
import base64
import io
import sys
import urllib.parse

TEXT_TYPES = ("text/", "application/json", "application/javascript", "application/xml", "image/svg+xml")


def environ_for(event, context=None):
    http = event["requestContext"]["http"]
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    body = event.get("body") or ""
    body = base64.b64decode(body) if event.get("isBase64Encoded") else body.encode("utf-8")
    script_name = ""
    stage = event["requestContext"].get("stage", "$default")
    raw_path = event.get("rawPath") or "/"
    if stage != "$default" and raw_path.startswith("/" + stage + "/"):
        script_name, raw_path = "/" + stage, raw_path[len(stage) + 1:]
    host = headers.get("host", "localhost")
    environ = {
        "REQUEST_METHOD": http["method"],
        "SCRIPT_NAME": script_name,
        # PEP 3333: PATH_INFO is the decoded path, as latin-1 text.
        "PATH_INFO": urllib.parse.unquote_to_bytes(raw_path).decode("latin-1"),
        "QUERY_STRING": event.get("rawQueryString", ""),
        "SERVER_NAME": host.split(":")[0],
        "SERVER_PORT": headers.get("x-forwarded-port", "443"),
        "SERVER_PROTOCOL": http.get("protocol", "HTTP/1.1"),
        "REMOTE_ADDR": http.get("sourceIp", ""),
        "CONTENT_TYPE": headers.pop("content-type", ""),
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": headers.get("x-forwarded-proto", "https"),
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        "apigateway.event": event,
        "apigateway.context": context,
    }
    headers.pop("content-length", None)
    if event.get("cookies"):
        headers["cookie"] = "; ".join(event["cookies"])
    for k, v in headers.items():
        environ["HTTP_" + k.upper().replace("-", "_")] = v
    return environ


def handle(app, event, context=None):
    """Calls app for one HTTP API event and returns the payload 2.0 answer."""
    answer = {}

    def start_response(status, response_headers, exc_info=None):
        if exc_info and answer:
            raise exc_info[1].with_traceback(exc_info[2])
        answer["status"], answer["headers"] = status, response_headers
        return lambda chunk: chunks.append(chunk)

    chunks = []
    result = app(environ_for(event, context), start_response)
    try:
        for chunk in result:
            chunks.append(chunk)
    finally:
        if hasattr(result, "close"):
            result.close()
    body = b"".join(chunks)
    headers, cookies = {}, []
    for name, value in answer["headers"]:
        if name.lower() == "set-cookie":
            cookies.append(value)
        elif name.lower() in headers:
            headers[name.lower()] += "," + value
        else:
            headers[name.lower()] = value
    content_type = headers.get("content-type", "")
    is_text = content_type.startswith(TEXT_TYPES)
    out = {"statusCode": int(answer["status"].split(" ", 1)[0]), "headers": headers, "cookies": cookies,
           "isBase64Encoded": not is_text}
    out["body"] = body.decode("utf-8") if is_text else base64.b64encode(body).decode("ascii")
    return out
