"""lambdalet's greengrass_ipc_python_sdk: the IPC client the Greengrass Core SDK for Python imports."""
