"""Function ARNs split into their parts, and built back with a qualifier."""
import re

# arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]; Greengrass's own functions leave region and account empty
_FULL_ARN = re.compile(r"^arn:([^:]*):lambda:([^:]*):([^:]*):function:([^:]+)(?::([^:]+))?$")
# lambdalet also takes a bare name, as its Invoke does
_BARE_NAME = re.compile(r"^([A-Za-z0-9_-]{1,64})(?::(\$LATEST|[A-Za-z0-9_-]{1,128}))?$")


class FunctionArnFields:
    """The parts of a function ARN: `qualifier` is None when it carries none."""

    def __init__(self, function_arn):
        text = str(function_arn)
        self.arn = text
        full = _FULL_ARN.match(text)
        if full:
            self.partition, self.region, self.account_id, self.name, self.qualifier = full.groups()
            self.unqualified_arn = "arn:{}:lambda:{}:{}:function:{}".format(
                self.partition, self.region, self.account_id, self.name
            )
            return
        bare = _BARE_NAME.match(text)
        if not bare:
            raise ValueError(
                "'{}' is not a function ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]) "
                "or a function name".format(text)
            )
        self.partition = self.region = self.account_id = None
        self.name, self.qualifier = bare.groups()
        self.unqualified_arn = self.name

    @staticmethod
    def build_function_arn(unqualified_arn, qualifier=None):
        """The ARN of `unqualified_arn` at `qualifier`, or the unqualified ARN when the qualifier is empty."""
        return "{}:{}".format(unqualified_arn, qualifier) if qualifier else unqualified_arn
