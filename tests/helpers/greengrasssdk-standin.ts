/**
 * @module A stand-in for the Greengrass Core SDK for Python (`greengrasssdk`, in no registry here), written for the
 * tests: its clients call `greengrass_common` and `greengrass_ipc_python_sdk` with the same calls and argument types
 * as the real SDK (a str client context for `invoke`, base64 bytes for `publish`, `get_work_result(...).payload` and
 * `.func_err`, `IPCException` turned into the SDK's own exception).
 */
import type { ZipEntry } from "../../lib/code/mod.ts";

const INIT = `"""Test stand-in for greengrasssdk: client(kind) as the real package exposes it."""


def client(client_type, *args, **kwargs):
    if client_type == "lambda":
        from .Lambda import Client
    elif client_type == "iot-data":
        from .IoTDataPlane import Client
    elif client_type == "secretsmanager":
        from .SecretsManager import Client
    else:
        raise Exception("unknown client type {!r}".format(client_type))
    return Client(*args, **kwargs)
`;

const LAMBDA = `"""The lambda client: FunctionArnFields to build the ARN, then post_work / get_work_result."""
import io

from greengrass_common.function_arn_fields import FunctionArnFields
from greengrass_ipc_python_sdk.ipc_client import IPCClient, IPCException


class InvocationException(Exception):
    pass


class Client:
    def __init__(self, endpoint="localhost", port=None):
        self.ipc = IPCClient(endpoint=endpoint)

    def invoke(self, **kwargs):
        fields = FunctionArnFields(kwargs["FunctionName"])
        given = kwargs.get("Qualifier", "")
        if given and fields.qualifier and given != fields.qualifier:
            raise ValueError("qualifiers disagree")
        arn = FunctionArnFields.build_function_arn(fields.unqualified_arn, fields.qualifier or given)
        client_context = kwargs.get("ClientContext", b"").decode()
        payload = kwargs.get("Payload", b"")
        return self._invoke_internal(arn, payload, client_context, kwargs.get("InvocationType", "RequestResponse"))

    def _invoke_internal(self, function_arn, payload, client_context, invocation_type="RequestResponse"):
        try:
            invocation_id = self.ipc.post_work(function_arn, payload, client_context, invocation_type)
            if invocation_type == "Event":
                return {"Payload": b"", "FunctionError": ""}
            result = self.ipc.get_work_result(function_arn, invocation_id)
            body = result.payload if result.func_err else io.BytesIO(result.payload)
            return {"Payload": body, "FunctionError": result.func_err}
        except IPCException as error:
            raise InvocationException("Failed to invoke function due to " + str(error))
`;

const IOT_DATA =
  `"""The iot-data client: publish through the router function, shadows through the shadow function."""
import base64
import json

from greengrasssdk import Lambda
from greengrass_common.env_vars import MY_FUNCTION_ARN, ROUTER_FUNCTION_ARN, SHADOW_FUNCTION_ARN


class ShadowError(Exception):
    pass


class Client:
    def __init__(self):
        self.lambda_client = Lambda.Client()

    def publish(self, **kwargs):
        topic = kwargs["topic"]
        context = {"custom": {"source": MY_FUNCTION_ARN, "subject": topic, "queueFullPolicy": ""}}
        self.lambda_client._invoke_internal(
            ROUTER_FUNCTION_ARN,
            kwargs.get("payload", b""),
            base64.b64encode(json.dumps(context).encode()),
            "Event",
        )

    def get_thing_shadow(self, **kwargs):
        topic = "$aws/things/{}/shadow/get".format(kwargs["thingName"])
        context = base64.b64encode(json.dumps({"custom": {"subject": topic}}).encode())
        response = self.lambda_client._invoke_internal(SHADOW_FUNCTION_ARN, b"", context)
        if response["FunctionError"] != "":
            raise ShadowError("shadow request failed: {}".format(response["Payload"]))
        return {"payload": response["Payload"].read()}
`;

const SECRETS = `"""The secretsmanager client: a RequestResponse post to the secrets function."""
import json

from greengrasssdk import Lambda
from greengrass_common.env_vars import SECRETS_MANAGER_FUNCTION_ARN


class Client:
    def __init__(self):
        self.lambda_client = Lambda.Client()

    def get_secret_value(self, **kwargs):
        request = json.dumps({"SecretId": kwargs["SecretId"]}).encode()
        response = self.lambda_client._invoke_internal(SECRETS_MANAGER_FUNCTION_ARN, request, b"")
        return json.loads(response["Payload"].read().decode("utf-8"))
`;

/** The stand-in package's files, as zip entries under `greengrasssdk/`. */
export function greengrasssdkStandIn(): Record<string, ZipEntry> {
  return {
    "greengrasssdk/__init__.py": INIT,
    "greengrasssdk/Lambda.py": LAMBDA,
    "greengrasssdk/IoTDataPlane.py": IOT_DATA,
    "greengrasssdk/SecretsManager.py": SECRETS,
  };
}
