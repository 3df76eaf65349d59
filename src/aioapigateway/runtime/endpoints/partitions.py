# Vendored data, not code.
#
# Source: botocore 1.44.8, botocore/data/partitions.json, transcribed once into a Python
# literal (the same keys and values, in the same order) so that ``aws.partition`` needs no
# file I/O or JSON parsing at run time. Regenerate it from a newer botocore rather than
# editing it by hand.
#
# Licence: Apache-2.0. Copyright Amazon.com, Inc. or its affiliates. All Rights Reserved.
# Licensed under the Apache License, Version 2.0 (the "License"); you may not use this
# file except in compliance with the License. A copy of the License is located at
# http://aws.amazon.com/apache2.0/ . This file is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
"""AWS partition metadata used by the endpoint rules function ``aws.partition``.

Imported lazily by :mod:`aioapigateway.runtime.endpoints.rules` on the first ``aws.partition`` call.
"""

from __future__ import annotations

from typing import Any, Final

#: The parsed contents of botocore's ``partitions.json``: ``{"partitions": [...], "version": ...}``.
PARTITIONS: Final[dict[str, Any]] = {
    "partitions": [
        {
            "id": "aws",
            "outputs": {
                "dnsSuffix": "amazonaws.com",
                "dualStackDnsSuffix": "api.aws",
                "implicitGlobalRegion": "us-east-1",
                "name": "aws",
                "supportsDualStack": True,
                "supportsFIPS": True,
            },
            "regionRegex": "^(us|eu|ap|sa|ca|me|af|il|mx)\\-\\w+\\-\\d+$",
            "regions": {
                "af-south-1": {"description": "Africa (Cape Town)"},
                "ap-east-1": {"description": "Asia Pacific (Hong Kong)"},
                "ap-east-2": {"description": "Asia Pacific (Taipei)"},
                "ap-northeast-1": {"description": "Asia Pacific (Tokyo)"},
                "ap-northeast-2": {"description": "Asia Pacific (Seoul)"},
                "ap-northeast-3": {"description": "Asia Pacific (Osaka)"},
                "ap-south-1": {"description": "Asia Pacific (Mumbai)"},
                "ap-south-2": {"description": "Asia Pacific (Hyderabad)"},
                "ap-southeast-1": {"description": "Asia Pacific (Singapore)"},
                "ap-southeast-2": {"description": "Asia Pacific (Sydney)"},
                "ap-southeast-3": {"description": "Asia Pacific (Jakarta)"},
                "ap-southeast-4": {"description": "Asia Pacific (Melbourne)"},
                "ap-southeast-5": {"description": "Asia Pacific (Malaysia)"},
                "ap-southeast-6": {"description": "Asia Pacific (New Zealand)"},
                "ap-southeast-7": {"description": "Asia Pacific (Thailand)"},
                "aws-global": {"description": "aws global region"},
                "ca-central-1": {"description": "Canada (Central)"},
                "ca-west-1": {"description": "Canada West (Calgary)"},
                "eu-central-1": {"description": "Europe (Frankfurt)"},
                "eu-central-2": {"description": "Europe (Zurich)"},
                "eu-north-1": {"description": "Europe (Stockholm)"},
                "eu-south-1": {"description": "Europe (Milan)"},
                "eu-south-2": {"description": "Europe (Spain)"},
                "eu-west-1": {"description": "Europe (Ireland)"},
                "eu-west-2": {"description": "Europe (London)"},
                "eu-west-3": {"description": "Europe (Paris)"},
                "il-central-1": {"description": "Israel (Tel Aviv)"},
                "me-central-1": {"description": "Middle East (UAE)"},
                "me-south-1": {"description": "Middle East (Bahrain)"},
                "me-west-1": {"description": "Middle East (Saudi Arabia)"},
                "mx-central-1": {"description": "Mexico (Central)"},
                "sa-east-1": {"description": "South America (Sao Paulo)"},
                "sa-west-1": {"description": "South America (Chile)"},
                "us-east-1": {"description": "US East (N. Virginia)"},
                "us-east-2": {"description": "US East (Ohio)"},
                "us-west-1": {"description": "US West (N. California)"},
                "us-west-2": {"description": "US West (Oregon)"},
            },
        },
        {
            "id": "aws-cn",
            "outputs": {
                "dnsSuffix": "amazonaws.com.cn",
                "dualStackDnsSuffix": "api.amazonwebservices.com.cn",
                "implicitGlobalRegion": "cn-northwest-1",
                "name": "aws-cn",
                "supportsDualStack": True,
                "supportsFIPS": True,
            },
            "regionRegex": "^cn\\-\\w+\\-\\d+$",
            "regions": {
                "aws-cn-global": {"description": "aws-cn global region"},
                "cn-north-1": {"description": "China (Beijing)"},
                "cn-northwest-1": {"description": "China (Ningxia)"},
            },
        },
        {
            "id": "aws-eusc",
            "outputs": {
                "dnsSuffix": "amazonaws.eu",
                "dualStackDnsSuffix": "api.amazonwebservices.eu",
                "implicitGlobalRegion": "eusc-de-east-1",
                "name": "aws-eusc",
                "supportsDualStack": True,
                "supportsFIPS": True,
            },
            "regionRegex": "^eusc\\-(de)\\-\\w+\\-\\d+$",
            "regions": {
                "eusc-de-east-1": {"description": "AWS European Sovereign Cloud (Germany)"}
            },
        },
        {
            "id": "aws-iso",
            "outputs": {
                "dnsSuffix": "c2s.ic.gov",
                "dualStackDnsSuffix": "api.aws.ic.gov",
                "implicitGlobalRegion": "us-iso-east-1",
                "name": "aws-iso",
                "supportsDualStack": True,
                "supportsFIPS": True,
            },
            "regionRegex": "^us\\-iso\\-\\w+\\-\\d+$",
            "regions": {
                "aws-iso-global": {"description": "aws-iso global region"},
                "us-iso-east-1": {"description": "US ISO East"},
                "us-iso-west-1": {"description": "US ISO WEST"},
            },
        },
        {
            "id": "aws-iso-b",
            "outputs": {
                "dnsSuffix": "sc2s.sgov.gov",
                "dualStackDnsSuffix": "api.aws.scloud",
                "implicitGlobalRegion": "us-isob-east-1",
                "name": "aws-iso-b",
                "supportsDualStack": True,
                "supportsFIPS": True,
            },
            "regionRegex": "^us\\-isob\\-\\w+\\-\\d+$",
            "regions": {
                "aws-iso-b-global": {"description": "aws-iso-b global region"},
                "us-isob-east-1": {"description": "US ISOB East (Ohio)"},
                "us-isob-west-1": {"description": "US ISOB West"},
            },
        },
        {
            "id": "aws-iso-e",
            "outputs": {
                "dnsSuffix": "cloud.adc-e.uk",
                "dualStackDnsSuffix": "api.cloud-aws.adc-e.uk",
                "implicitGlobalRegion": "eu-isoe-west-1",
                "name": "aws-iso-e",
                "supportsDualStack": True,
                "supportsFIPS": True,
            },
            "regionRegex": "^eu\\-isoe\\-\\w+\\-\\d+$",
            "regions": {
                "aws-iso-e-global": {"description": "aws-iso-e global region"},
                "eu-isoe-west-1": {"description": "EU ISOE West"},
            },
        },
        {
            "id": "aws-iso-f",
            "outputs": {
                "dnsSuffix": "csp.hci.ic.gov",
                "dualStackDnsSuffix": "api.aws.hci.ic.gov",
                "implicitGlobalRegion": "us-isof-south-1",
                "name": "aws-iso-f",
                "supportsDualStack": True,
                "supportsFIPS": True,
            },
            "regionRegex": "^us\\-isof\\-\\w+\\-\\d+$",
            "regions": {
                "aws-iso-f-global": {"description": "aws-iso-f global region"},
                "us-isof-east-1": {"description": "US ISOF EAST"},
                "us-isof-south-1": {"description": "US ISOF SOUTH"},
            },
        },
        {
            "id": "aws-us-gov",
            "outputs": {
                "dnsSuffix": "amazonaws.com",
                "dualStackDnsSuffix": "api.aws",
                "implicitGlobalRegion": "us-gov-west-1",
                "name": "aws-us-gov",
                "supportsDualStack": True,
                "supportsFIPS": True,
            },
            "regionRegex": "^us\\-gov\\-\\w+\\-\\d+$",
            "regions": {
                "aws-us-gov-global": {"description": "aws-us-gov global region"},
                "us-gov-east-1": {"description": "AWS GovCloud (US-East)"},
                "us-gov-west-1": {"description": "AWS GovCloud (US-West)"},
            },
        },
    ],
    "version": "1.1",
}
