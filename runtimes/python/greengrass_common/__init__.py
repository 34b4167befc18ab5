"""lambdalet's greengrass_common: what the Greengrass Core SDK for Python (greengrasssdk) imports from the core.

Greengrass's own runtime used to provide it; lambdalet writes it next to its Python bootstrap, so that a worker finds it
after the function's own modules.
"""
