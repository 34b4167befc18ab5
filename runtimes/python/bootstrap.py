"""lambdalet's Python bootstrap: imports the handler, then loops on the Lambda Runtime API (2018-06-01)."""
import http.client
import importlib
import json
import logging
import os
import signal
import sys
import time
import traceback

RUNTIME_API = os.environ.get("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001")
BINARY_PAYLOAD = os.environ.get("LAMBDALET_PAYLOAD_ENCODING") == "binary"


def max_concurrency():
    """How many invocations run at once (Lambda Managed Instances' variable): one process forked after init for each."""
    try:
        return max(1, int(os.environ.get("AWS_LAMBDA_MAX_CONCURRENCY", "1")))
    except ValueError:
        return 1


class RuntimeClient:
    """Keeps one HTTP connection to the agent's Runtime API."""

    def __init__(self, address):
        host, port = address.rsplit(":", 1)
        self.connection = http.client.HTTPConnection(host, int(port))

    def call(self, method, path, body=None, headers=None):
        try:
            self.connection.request(method, "/2018-06-01/runtime" + path, body=body, headers=headers or {})
            response = self.connection.getresponse()
            return response.status, dict((k.lower(), v) for k, v in response.getheaders()), response.read()
        except (ConnectionError, http.client.HTTPException, OSError):
            self.connection.close()
            raise


class ClientContext:
    """The mobile client context, as `context.client_context` shows it."""

    def __init__(self, data):
        self.client = data.get("client")
        self.custom = data.get("custom")
        self.env = data.get("env")


class CognitoIdentity:
    """The Cognito identity, as `context.identity` shows it."""

    def __init__(self, data):
        self.cognito_identity_id = data.get("cognitoIdentityId")
        self.cognito_identity_pool_id = data.get("cognitoIdentityPoolId")


class LambdaContext:
    """The context object handlers receive."""

    def __init__(self, headers):
        self.aws_request_id = headers.get("lambda-runtime-aws-request-id")
        self.invoked_function_arn = headers.get("lambda-runtime-invoked-function-arn")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"))
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self._deadline_ms = int(headers.get("lambda-runtime-deadline-ms", "0"))
        context = headers.get("lambda-runtime-client-context")
        identity = headers.get("lambda-runtime-cognito-identity")
        self.client_context = ClientContext(json.loads(context)) if context else None
        self.identity = CognitoIdentity(json.loads(identity)) if identity else None

    def get_remaining_time_in_millis(self):
        return max(self._deadline_ms - int(time.time() * 1000), 0)


class HandlerError(Exception):
    """A failure to load the handler, with the error type Lambda reports for it and the trace it shows (often none)."""

    def __init__(self, error_type, message, trace=None):
        super().__init__(message)
        self.error_type = error_type
        self.trace = trace or []


def load_handler(spec):
    module_path, dot, function_name = spec.rpartition(".")
    if not dot or not module_path or not function_name:
        raise HandlerError("Runtime.MalformedHandlerName", "Bad handler '%s': not enough values to unpack" % spec)
    module_name = module_path.replace("/", ".")
    task_root = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
    if task_root not in sys.path:
        sys.path.insert(0, task_root)
    try:
        module = importlib.import_module(module_name)
    except SyntaxError as error:
        trace = ['  File "%s" Line %s\n    %s' % (error.filename, error.lineno, error.text)]
        raise HandlerError("Runtime.UserCodeSyntaxError", "Syntax error in module '%s': %s" % (module_name, error), trace)
    except ImportError as error:
        raise HandlerError("Runtime.ImportModuleError", "Unable to import module '%s': %s" % (module_name, error))
    handler = getattr(module, function_name, None)
    if not callable(handler):
        raise HandlerError("Runtime.HandlerNotFound", "Handler '%s' missing on module '%s'" % (function_name, module_name))
    return handler


BOOTSTRAP_FILE = os.path.abspath(__file__)
LOG_INDENT = "\u00a0"  # Lambda indents the trace lines of its [ERROR] record with no-break spaces


def function_frames(tb):
    """The traceback's frames from the first one outside this bootstrap on, as Lambda shows them (no column markers)."""
    frames = [(frame.filename, frame.lineno, frame.name, frame.line) for frame in traceback.extract_tb(tb)]
    for index, frame in enumerate(frames):
        if os.path.abspath(frame[0]) != BOOTSTRAP_FILE:
            return frames[index:]
    return frames


def error_body(error, request_id=None):
    if isinstance(error, HandlerError):
        error_type, stack_trace = error.error_type, error.trace
    else:
        error_type = type(error).__name__
        stack_trace = traceback.format_list(function_frames(error.__traceback__))
    body = {"errorMessage": str(error), "errorType": error_type, "stackTrace": stack_trace}
    if request_id:
        body["requestId"] = request_id
    return body


def log_error(body):
    """Writes the error as one record, as Lambda's python runtime does: `[ERROR] Type: message`, then the trace."""
    description = "[ERROR]"
    if body["errorType"]:
        description += " " + body["errorType"]
    if body["errorMessage"]:
        description += (":" if body["errorType"] else "") + " " + body["errorMessage"]
    lines = [description, "Traceback (most recent call last):"]
    for entry in body["stackTrace"]:
        for line in entry.splitlines() or [""]:
            stripped = line.lstrip(" ")
            lines.append(LOG_INDENT * (len(line) - len(stripped)) + stripped)
    sys.stdout.write("\n".join(lines) + "\n")
    sys.stdout.flush()


def post_error(client, path, body):
    payload = json.dumps(body).encode()
    headers = {"Content-Type": "application/json", "Lambda-Runtime-Function-Error-Type": body["errorType"]}
    client.call("POST", path, payload, headers)


CURRENT = {"request_id": None}


class RequestIdFilter(logging.Filter):
    """Adds the current request id to log records, as Lambda's log format shows it."""

    def filter(self, record):
        record.aws_request_id = CURRENT["request_id"]
        return True


def configure_logging():
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s", "%Y-%m-%dT%H:%M:%S"))
    handler.addFilter(RequestIdFilter())
    logging.Formatter.converter = time.gmtime
    logging.getLogger().addHandler(handler)


def main():
    configure_logging()
    client = RuntimeClient(RUNTIME_API)
    try:
        handler = load_handler(os.environ.get("_HANDLER", ""))
    except Exception as error:  # a bad handler setting, or an exception raised by the module's own top-level code
        body = error_body(error)
        log_error(body)
        post_error(client, "/init/error", body)
        sys.exit(1)
    concurrency = max_concurrency()
    if concurrency == 1:
        serve(handler, client)
    else:
        supervise(handler, concurrency)


def supervise(handler, concurrency):
    """Forks `concurrency` processes of the initialized runtime, each serving one invocation at a time, as Lambda
    Managed Instances' Python runtime runs them (each its own memory: globals are not shared between invocations).
    The first of them to end ends them all, with its status: the agent then fails whatever they were running."""
    sys.stdout.flush()
    sys.stderr.flush()
    children = []
    for _ in range(concurrency):
        pid = os.fork()
        if pid == 0:
            serve_child(handler)
        children.append(pid)
    ended, status = os.wait()
    for pid in children:
        if pid != ended:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        signal.signal(number, signal.SIG_DFL)
        os.kill(os.getpid(), number)
    sys.exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) and os.WEXITSTATUS(status) else 1)


def serve_child(handler):
    """A forked process's life: serve on a connection of its own; whatever ends it, exit without the parent's cleanup."""
    code = 1
    try:
        serve(handler, RuntimeClient(RUNTIME_API))
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 1
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def serve(handler, client):
    """Fetches invocations one after the other, runs each and posts its answer."""
    while True:
        try:
            _, headers, body = client.call("GET", "/invocation/next")
        except Exception:
            sys.exit(1)  # the agent is gone
        request_id = headers.get("lambda-runtime-aws-request-id")
        CURRENT["request_id"] = request_id
        os.environ["_X_AMZN_TRACE_ID"] = headers.get("lambda-runtime-trace-id", "")
        try:
            event = body if BINARY_PAYLOAD else json.loads(body or b"{}")
            result = handler(event, LambdaContext(headers))
            payload = json.dumps(result).encode()
        except Exception as error:
            body = error_body(error, request_id)
            log_error(body)
            post_error(client, "/invocation/%s/error" % request_id, body)
            continue
        client.call("POST", "/invocation/%s/response" % request_id, payload, {"Content-Type": "application/json"})


if __name__ == "__main__":
    main()
