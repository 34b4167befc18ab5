"""The worker's Greengrass environment, as the agent set it (AUTH_TOKEN only for functions allowed to use IPC)."""
import os

MY_FUNCTION_ARN = os.environ.get("MY_FUNCTION_ARN")
ROUTER_FUNCTION_ARN = os.environ.get("ROUTER_FUNCTION_ARN")
SHADOW_FUNCTION_ARN = os.environ.get("SHADOW_FUNCTION_ARN")
SECRETS_MANAGER_FUNCTION_ARN = os.environ.get("SECRETS_MANAGER_FUNCTION_ARN")
AUTH_TOKEN = os.environ.get("AUTH_TOKEN")
