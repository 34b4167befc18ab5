"""The IPC client greengrasssdk's clients post work through.

A post of work goes to the agent's IPC door (LAMBDALET_IPC_URL) with the worker's AUTH_TOKEN; the agent publishes
(the router function), invokes the named function, or refuses. A RequestResponse post waits there for the function's
answer, which get_work_result then hands over.
"""
import json
import os
import urllib.error
import urllib.parse
import urllib.request

from greengrass_common import env_vars

NO_TOKEN = (
    "This function may not use Greengrass IPC: lambdalet gives an AUTH_TOKEN only to functions whose "
    "Edge.publishTopics or Edge.invokeFunctions list something"
)


class IPCException(Exception):
    """The agent refused the work (or could not be reached); `error_type` is its error name."""

    def __init__(self, message, error_type="IPCException", status=None):
        super().__init__(message)
        self.error_type = error_type
        self.status = status


class WorkResult:
    """What a RequestResponse invocation answered: the bytes, and the function error ('' when it succeeded)."""

    def __init__(self, payload, func_err):
        self.payload = payload
        self.func_err = func_err


def _to_bytes(value):
    if value is None:
        return b""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, str):
        return value.encode("utf-8")
    if hasattr(value, "read"):
        return _to_bytes(value.read())
    return json.dumps(value).encode("utf-8")


def _to_text(value):
    if value is None:
        return ""
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("ascii")
    return str(value)


def _refusal(error):
    body = error.read().decode("utf-8", "replace")
    error_type = error.headers.get("x-amzn-ErrorType") or "IPCException"
    try:
        parsed = json.loads(body)
        message = parsed.get("message") or parsed.get("Message") or body
    except ValueError:
        message = body
    return IPCException("{}: {}".format(error_type, message or "status {}".format(error.code)), error_type, error.code)


class IPCClient:
    """The client of the agent's IPC door. `endpoint` and `port` are accepted as greengrasssdk passes them; the
    agent's address comes from the worker's environment."""

    def __init__(self, endpoint="localhost", port=None, auth_token=None):
        self.endpoint = endpoint
        self.port = port
        self.auth_token = auth_token if auth_token is not None else (env_vars.AUTH_TOKEN or os.environ.get("AUTH_TOKEN"))
        self._results = {}
        # loopback to the agent: never through a proxy the function's environment may name
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def post_work(self, function_arn, payload, client_context, invocation_type="RequestResponse"):
        """Posts work for `function_arn` and returns its invocation id; for RequestResponse, after the function ran."""
        base = os.environ.get("LAMBDALET_IPC_URL")
        if not base or not self.auth_token:
            raise IPCException(NO_TOKEN, "MissingAuthenticationTokenException", 403)
        url = "{}/functions/{}/invocations".format(base.rstrip("/"), urllib.parse.quote(str(function_arn), safe=""))
        headers = {
            "Authorization": "Bearer " + self.auth_token,
            "Content-Type": "application/octet-stream",
            "X-Amz-Invocation-Type": invocation_type or "RequestResponse",
        }
        context = _to_text(client_context)
        if context:
            headers["X-Amz-Client-Context"] = context
        request = urllib.request.Request(url, data=_to_bytes(payload), headers=headers, method="POST")
        try:
            with self._opener.open(request) as response:
                body = response.read()
                invocation_id = response.headers.get("X-Amz-Invocation-Id")
                if response.status == 200:
                    self._results[invocation_id] = WorkResult(body, response.headers.get("X-Amz-Function-Error") or "")
                return invocation_id
        except urllib.error.HTTPError as error:
            raise _refusal(error) from None
        except (urllib.error.URLError, OSError) as error:
            raise IPCException("The agent's IPC door is unreachable at {}: {}".format(base, error)) from None

    def get_work_result(self, function_arn, invocation_id):
        """The answer of a RequestResponse post, once."""
        try:
            return self._results.pop(invocation_id)
        except KeyError:
            raise IPCException("No result for the invocation {} of {}".format(invocation_id, function_arn)) from None
