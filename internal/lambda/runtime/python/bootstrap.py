"""gureum's Python runtime client: runs a module.function handler against the Lambda Runtime API.

Written for gureum (not derived from AWS's awslambdaric). It runs under the host's python3 with
/var/runtime, /var/task and the layers' /opt/python on sys.path.
"""

import http.client
import importlib
import json
import logging
import os
import sys
import time
import traceback

API = os.environ["AWS_LAMBDA_RUNTIME_API"]
PREFIX = "/2018-06-01/runtime"


class RuntimeAPI:
    """One keep-alive connection to the Runtime API."""

    def __init__(self, address):
        host, _, port = address.rpartition(":")
        self.conn = http.client.HTTPConnection(host, int(port))

    def call(self, method, path, body=None, headers=None):
        for attempt in (0, 1):
            try:
                self.conn.request(method, PREFIX + path, body=body, headers=headers or {})
                resp = self.conn.getresponse()
                return resp.status, resp.headers, resp.read()
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                if attempt:
                    raise


class Context:
    """The Lambda context object."""

    def __init__(self, request_id, deadline_ms, arn, client_context, identity):
        self.aws_request_id = request_id
        self.invoked_function_arn = arn
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.client_context = client_context
        self.identity = identity
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(0, int(self._deadline_ms - time.time() * 1000))


class _RequestIdFilter(logging.Filter):
    request_id = ""

    def filter(self, record):
        record.aws_request_id = _RequestIdFilter.request_id
        return True


JSON_LOGS = os.environ.get("AWS_LAMBDA_LOG_FORMAT") == "JSON"

# LoggingConfig.ApplicationLogLevel as the logging module's levels, and its names as Lambda's.
_LEVELS = {"TRACE": 5, "DEBUG": logging.DEBUG, "INFO": logging.INFO, "WARN": logging.WARNING,
           "ERROR": logging.ERROR, "FATAL": logging.CRITICAL}
_NAMES = {"WARNING": "WARN", "CRITICAL": "FATAL", "Level 5": "TRACE"}


def _json_time(t):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + ".%03dZ" % int((t % 1) * 1000)


class _JSONFormatter(logging.Formatter):
    """Lambda's JSON application log record: timestamp, level, message, logger, requestId."""

    def format(self, record):
        doc = {"timestamp": _json_time(record.created), "level": _NAMES.get(record.levelname, record.levelname),
               "message": record.getMessage(), "logger": record.name, "requestId": record.aws_request_id}
        if record.exc_info:
            doc["errorType"] = record.exc_info[0].__name__
            doc["errorMessage"] = str(record.exc_info[1])
            doc["stackTrace"] = traceback.format_tb(record.exc_info[2])
        return json.dumps(doc, default=str)


def _setup_logging():
    handler = logging.StreamHandler(sys.stdout)
    handler.addFilter(_RequestIdFilter())
    root = logging.getLogger()
    root.handlers = [handler]
    if JSON_LOGS:
        logging.addLevelName(5, "TRACE")
        handler.setFormatter(_JSONFormatter())
        root.setLevel(_LEVELS.get(os.environ.get("AWS_LAMBDA_LOG_LEVEL", "INFO"), logging.INFO))
        return
    handler.setFormatter(logging.Formatter(
        "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n", "%Y-%m-%dT%H:%M:%S"))
    handler.formatter.converter = time.gmtime
    root.setLevel(logging.WARNING)


def _log_error(doc, request_id=""):
    """The runtime's own error line: Lambda's text line, or a JSON record at level ERROR."""
    if JSON_LOGS:
        print(json.dumps({"timestamp": _json_time(time.time()), "level": "ERROR", "message": doc["errorMessage"],
                          "errorType": doc["errorType"], "requestId": request_id}), flush=True)
    else:
        print(f"[ERROR] {doc['errorType']}: {doc['errorMessage']}", flush=True)


def error_doc(exc, error_type=None):
    tb = traceback.extract_tb(exc.__traceback__)
    return {
        "errorMessage": str(exc),
        "errorType": error_type or type(exc).__name__,
        "stackTrace": traceback.format_list(tb),
    }


def load_handler(spec):
    module_path, _, function = spec.rpartition(".")
    if not module_path or not function:
        raise _InitError("Runtime.MalformedHandlerName", f"Bad handler '{spec}': not enough values to unpack")
    module_name = module_path.replace("/", ".")
    try:
        module = importlib.import_module(module_name)
    except SyntaxError as e:
        raise _InitError("Runtime.UserCodeSyntaxError", f"Syntax error in module '{module_name}': {e}") from e
    except ImportError as e:
        raise _InitError("Runtime.ImportModuleError", f"Unable to import module '{module_name}': {e}") from e
    handler = getattr(module, function, None)
    if handler is None:
        raise _InitError("Runtime.HandlerNotFound", f"Handler '{function}' missing on module '{module_name}'")
    return handler


class _InitError(Exception):
    def __init__(self, error_type, message):
        super().__init__(message)
        self.error_type = error_type


def _report_init_error(api, exc):
    doc = error_doc(exc, getattr(exc, "error_type", None))
    if exc.__cause__ is not None:
        doc["stackTrace"] = traceback.format_list(traceback.extract_tb(exc.__cause__.__traceback__))
    _log_error(doc)
    api.call("POST", "/init/error", json.dumps(doc).encode(),
             {"Lambda-Runtime-Function-Error-Type": doc["errorType"], "Content-Type": "application/json"})


def _invoke(api, handler, headers, body):
    request_id = headers.get("Lambda-Runtime-Aws-Request-Id")
    trace = headers.get("Lambda-Runtime-Trace-Id")
    if trace:
        os.environ["_X_AMZN_TRACE_ID"] = trace
    _RequestIdFilter.request_id = request_id
    client_context = headers.get("Lambda-Runtime-Client-Context")
    identity = headers.get("Lambda-Runtime-Cognito-Identity")
    ctx = Context(request_id, int(headers.get("Lambda-Runtime-Deadline-Ms", "0")),
                  headers.get("Lambda-Runtime-Invoked-Function-Arn"),
                  json.loads(client_context) if client_context else None,
                  json.loads(identity) if identity else None)
    try:
        event = json.loads(body) if body else {}
        result = handler(event, ctx)
        out = json.dumps(result).encode()
    except Exception as e:  # the function's error is the invoke's answer
        doc = error_doc(e)
        sys.stdout.flush()
        _log_error(doc, request_id)
        api.call("POST", f"/invocation/{request_id}/error", json.dumps(doc).encode(),
                 {"Lambda-Runtime-Function-Error-Type": doc["errorType"], "Content-Type": "application/json"})
        return
    sys.stdout.flush()
    api.call("POST", f"/invocation/{request_id}/response", out, {"Content-Type": "application/json"})


def main():
    _setup_logging()
    api = RuntimeAPI(API)
    try:
        handler = load_handler(os.environ["_HANDLER"])
    except Exception as e:
        _report_init_error(api, e)
        sys.exit(1)
    while True:
        status, headers, body = api.call("GET", "/invocation/next")
        if status != 200:
            sys.exit(f"runtime API /next answered {status}")
        _invoke(api, handler, headers, body)


if __name__ == "__main__":
    main()
