"""Prints the CloudFormation template that SAM makes of a SAM template, as JSON.

Usage: python3 transform.py TEMPLATE [PARAMETERS_JSON]

It runs the SAM translator that cfn-lint ships, the way cfn-lint runs it: the template is
parsed with cfn-lint's YAML loader (short-form intrinsics), local CodeUri values are replaced by
an S3 location (the translator refuses local paths), and managed policies resolve from
cfn-lint's bundled map, so no AWS call is made.
"""

import json
import os
import sys

from cfnlint.data import Serverless
from cfnlint.decode import cfn_yaml
from cfnlint.helpers import load_resource
from samtranslator.translator.transform import transform


class ManagedPolicies:
    def load(self):
        return load_resource(Serverless, "ManagedPolicies.json")


def main(argv):
    template = cfn_yaml.load(argv[1])
    params = json.loads(argv[2]) if len(argv) > 2 else {}
    for res in template.get("Resources", {}).values():
        if res.get("Type") == "AWS::Serverless::Function":
            res.setdefault("Properties", {})["CodeUri"] = "s3://bucket/code.zip"
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    out = transform(template, params, ManagedPolicies())
    json.dump(out, sys.stdout, indent=1, sort_keys=True)


if __name__ == "__main__":
    main(sys.argv)
